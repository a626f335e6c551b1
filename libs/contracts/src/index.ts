export * from './queues';
export * from './provisioning-commands';
export * from './provisioning-commands.validation';
export * from './queues.validation';
export * from './channels';
export * from './subject-events';
export * from './trace-context';
