import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { bearerCredential } from '../bearer';
import { MetricsRegistry } from './metrics-registry';

/**
 * `GET /metrics` in Prometheus text format, only when METRICS_TOKEN is set (otherwise the path
 * answers 404 like any unknown one), and only with `Authorization: Bearer <METRICS_TOKEN>`: the
 * series reveal load and failure patterns, and the services' port is public. A plain Fastify
 * route, outside Nest: neither the admin API's guards nor the SCIM error format apply to it.
 */
export function installMetricsEndpoint(
  fastify: FastifyInstance,
  registry: MetricsRegistry,
  token: string | undefined,
): void {
  if (!token) return;
  const expected = digest(token);
  fastify.get('/metrics', async (request, reply) => {
    const presented = bearerCredential(request.headers.authorization);
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      return reply.status(401).header('WWW-Authenticate', 'Bearer realm="metrics"').send({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'a valid METRICS_TOKEN bearer is required',
      });
    }
    return reply.header('Content-Type', registry.contentType).send(await registry.metrics());
  });
}

/** Equal-length values for the constant-time comparison. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
