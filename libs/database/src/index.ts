export * from './migrations';
export * from './data-source-options';
export * from './db';
export * from './migrate';
export * from './postgres-errors';
export * from './returned-rows';
export * from './prepared-statements';
export * from './jsonb-param';
