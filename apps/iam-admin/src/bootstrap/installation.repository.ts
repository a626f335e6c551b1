import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

const BOOTSTRAP_LOCK_KEY = 76_437_645;

/**
 * The one owner of installation_bootstrap: whether this installation was ever bootstrapped. The
 * marker is its own row, not "admin_tokens is empty": revoking or deleting every token never
 * re-arms the bootstrap.
 */
@Injectable()
export class InstallationRepository {
  /**
   * Reads the marker under a transaction-scoped lock that serialises instances starting together
   * and a recovery run beside them.
   */
  async lock(em: EntityManager): Promise<{ bootstrapped: boolean }> {
    await em.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
    const rows: unknown[] = await em.query(`SELECT 1 FROM installation_bootstrap`);
    return { bootstrapped: rows.length > 0 };
  }

  async markBootstrapped(em: EntityManager): Promise<void> {
    await em.query(`INSERT INTO installation_bootstrap DEFAULT VALUES`);
  }
}
