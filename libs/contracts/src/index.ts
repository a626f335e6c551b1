export * from './queues';
export * from './provisioning-commands';
export * from './channels';
export * from './subject-events';
