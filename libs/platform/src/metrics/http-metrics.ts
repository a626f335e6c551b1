import type { FastifyInstance } from 'fastify';
import { Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/** Requests that matched no route share one label value: scanners cannot mint new series. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Request count and latency by method, route template (`/:tenantId/api/scim/v2/Users/:id`, never
 * the raw URL, which carries tenant and resource ids) and status code; counted in onResponse so
 * refusals by guards, parsers and rate limits are included.
 */
export function installHttpMetrics(fastify: FastifyInstance, registry: MetricsRegistry): void {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code, and their latency',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
