export * from './config';
export * from './redis';
export * from './redis-client.module';
export * from './logging';
export * from './health/health.module';
export * from './secrets';
export * from './http';
export * from './config.module';
