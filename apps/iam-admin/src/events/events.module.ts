import { Global, Module } from '@nestjs/common';
import { SubjectEventsOutbox } from './subject-events.outbox';
import { SubjectEventsRelay } from './subject-events.relay';

@Global()
@Module({
  providers: [SubjectEventsOutbox, SubjectEventsRelay],
  exports: [SubjectEventsOutbox, SubjectEventsRelay],
})
export class EventsModule {}
