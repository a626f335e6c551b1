// `npm run example:consumer`: an internal service's view of IAM — prints every subject-change event.
// REDIS_URL and QUEUE_PREFIX as for IAM; CONSUMER_GROUP names this consumer (default: example).
import { SubjectEventConsumer } from '@app/events';

const consumer = new SubjectEventConsumer({
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  queuePrefix: process.env.QUEUE_PREFIX ?? 'iam',
  group: process.env.CONSUMER_GROUP ?? 'example',
  startFrom: '0',
  handle: async (event) => {
    console.log(
      `${event.occurredAt} ${event.type} subject=${event.subjectId ?? '-'} group=${event.groupId ?? '-'} seq=${event.sequence}`,
    );
  },
  onError: (error) => console.error('consumer error:', error),
});

consumer.start().then(() => console.log('listening for subject-change events; Ctrl-C to stop'));
process.on('SIGINT', () => void consumer.stop().then(() => process.exit(0)));
