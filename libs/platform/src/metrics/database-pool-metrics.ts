import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { MetricsRegistry } from './metrics-registry';

interface PgPoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** node-postgres pool usage, read at scrape time: `waiting` above 0 means DATABASE_POOL_SIZE is too small. */
export function registerDatabasePoolMetrics(registry: MetricsRegistry, dataSource: DataSource): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'PostgreSQL pool: open connections (total), idle ones, and clients waiting for one',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      // TypeORM's PostgresDriver keeps its pg Pool as `master` (no replicas are configured).
      const pool = (dataSource.driver as unknown as { master?: PgPoolCounts }).master;
      if (!pool) return;
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
}
