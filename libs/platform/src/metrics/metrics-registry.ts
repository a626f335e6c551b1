import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The Prometheus registry of one service instance. Not prom-client's global registry: the tests
 * run IAM and the gateway in one process, and each must expose only its own series.
 *
 * Labels stay low-cardinality on purpose: never a tenant id, user name, token or raw URL. In a
 * multi-tenant platform a tenant label multiplies every series by the number of tenants (a
 * cardinality bomb for Prometheus); per-tenant questions are answered by the audit log instead.
 */
@Injectable()
export class MetricsRegistry extends Registry {
  constructor() {
    super();
    collectDefaultMetrics({ register: this });
  }
}
