import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '@app/platform';

/** `scimType` (or nothing) of the SCIM error a request was answered with, noted by sendScimError. */
const refusals = new WeakMap<FastifyRequest, string | undefined>();

export function noteScimRefusal(request: FastifyRequest, scimType: string | undefined): void {
  refusals.set(request, scimType);
}

/** `/:tenantId/api/scim/v2/Users/:id` → `Users`, the rest of the template; undefined off the SCIM API. */
const SCIM_ROUTE = /\/api\/scim\/v2\/([A-Za-z]+)(\/.*)?$/;

/** The RFC 7644 operation of a route template and method. */
export function scimOperation(method: string, rest: string | undefined): string {
  if (rest === '/.search') return 'search';
  const one = rest !== undefined;
  switch (method) {
    case 'GET':
      return one ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'replace';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return method.toLowerCase();
  }
}

/**
 * SCIM operations by resource type, operation and outcome (`success`, the refusal's `scimType`,
 * or its status when it has none), and the token verifier's cache use. Counted from the route
 * template when the response is sent, so refusals by the guard, parser and rate limit count too.
 */
@Injectable()
export class ScimMetrics implements OnModuleInit {
  private readonly operations: Counter<'resource_type' | 'operation' | 'outcome'>;
  private readonly tokenLookups: Counter<'result'>;

  constructor(
    registry: MetricsRegistry,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.operations = new Counter({
      name: 'scim_operations_total',
      help: 'SCIM requests by resource type, operation and outcome (success, scimType or status)',
      labelNames: ['resource_type', 'operation', 'outcome'],
      registers: [registry],
    });
    this.tokenLookups = new Counter({
      name: 'scim_token_cache_lookups_total',
      help: 'SCIM token checks answered from memory (hit) or PostgreSQL (miss)',
      labelNames: ['result'],
      registers: [registry],
    });
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      const match = SCIM_ROUTE.exec(request.routeOptions.url ?? '');
      if (match) {
        const status = reply.statusCode;
        this.operations.inc({
          resource_type: match[1],
          operation: scimOperation(request.method, match[2]),
          outcome: status < 400 ? 'success' : (refusals.get(request) ?? String(status)),
        });
      }
      done();
    });
  }

  tokenLookup(hit: boolean): void {
    this.tokenLookups.inc({ result: hit ? 'hit' : 'miss' });
  }
}
