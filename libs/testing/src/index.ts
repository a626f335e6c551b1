export * from './env';
export * from './apps';
export * from './fixtures';
export * from './log-capture';
export * from './database';
export * from './stack';
export * from './child-process';
export * from './fake-entra';
