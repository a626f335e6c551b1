import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyInstance } from 'fastify';
import { DataSource } from 'typeorm';
import { ServiceConfig } from '../service-config';
import { registerDatabasePoolMetrics } from './database-pool-metrics';
import { installHttpMetrics } from './http-metrics';
import { installMetricsEndpoint } from './metrics-endpoint';
import { MetricsRegistry } from './metrics-registry';

/** Wires what every service measures the same way: HTTP requests, the database pool, the endpoint. */
@Injectable()
class PlatformMetrics implements OnModuleInit {
  constructor(
    private readonly registry: MetricsRegistry,
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ServiceConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Fastify builds each route's hooks when it gets ready, so routes Nest registered earlier are measured too. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    installHttpMetrics(fastify, this.registry);
    installMetricsEndpoint(fastify, this.registry, this.config.METRICS_TOKEN);
    registerDatabasePoolMetrics(this.registry, this.dataSource);
  }
}

/**
 * Prometheus metrics of one service. Global so a feature adds its own series to the same
 * registry by injecting MetricsRegistry.
 */
@Module({})
export class MetricsModule {
  static forService(config: ServiceConfig): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      providers: [MetricsRegistry, PlatformMetrics, { provide: ServiceConfig, useValue: config }],
      exports: [MetricsRegistry],
    };
  }
}
