export * from './correlation';
export * from './spans';
export { startTracing, tracingRequested } from './start';
