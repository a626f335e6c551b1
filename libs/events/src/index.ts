export * from './subject-event-consumer';
