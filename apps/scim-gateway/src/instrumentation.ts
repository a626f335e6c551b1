import { startTracing } from '@app/platform/tracing/start';

// main.ts imports this first (or run `node -r …/instrumentation.js`): OpenTelemetry hooks http, pg and
// ioredis only if it starts before they are loaded. Off unless the OTEL_* variables ask for traces.
startTracing('scim-gateway');
