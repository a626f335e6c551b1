export * from './errors';
export * from './schemas';
export * from './filter';
export * from './filter-sql';
export * from './user-document';
export * from './patch';
export * from './render';
export * from './discovery';
