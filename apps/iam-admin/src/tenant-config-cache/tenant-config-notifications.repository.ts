import { Injectable } from '@nestjs/common';
import type { ClientBase } from 'pg';
import { Db } from '@app/database';

/** The PostgreSQL channel on which a change of a tenant's cached configuration is announced; payload: the tenant id. */
export const TENANT_CONFIG_CHANNEL = 'iam_tenant_config';

/** The SQL of the channel: a writer's announcement, and the listener connection's own statements. */
@Injectable()
export class TenantConfigNotificationsRepository {
  /**
   * A tenant id (or a listener's probe). Run in the change's transaction: PostgreSQL delivers it at
   * commit, and never if it rolls back.
   */
  async announce(db: Db, payload: string): Promise<void> {
    await db.query(`SELECT pg_notify('${TENANT_CONFIG_CHANNEL}', $1)`, [payload]);
  }

  async listen(client: ClientBase): Promise<void> {
    await client.query(`LISTEN ${TENANT_CONFIG_CHANNEL}`);
  }
}
