export * from './entities';
export * from './migrations';
export * from './data-source-options';
export * from './migrate';
export * from './returned-rows';
