import { Module } from '@nestjs/common';
import { SubjectEventsOutbox } from './subject-events.outbox';
import { SubjectEventsRelay } from './subject-events.relay';
import { SubjectEventsRepository } from './subject-events.repository';
import { SubjectEventsStream } from './subject-events.stream';

/** Subject-change events: the transactional outbox (written in a change's transaction) and its relay. */
@Module({
  providers: [SubjectEventsRepository, SubjectEventsOutbox, SubjectEventsRelay, SubjectEventsStream],
  exports: [SubjectEventsOutbox, SubjectEventsRelay, SubjectEventsStream, SubjectEventsRepository],
})
export class EventsModule {}
