import { DataSource, EntityManager } from 'typeorm';
import { insertPlatformAdminToken } from '../admin-tokens/platform-admin-tokens';

const BOOTSTRAP_LOCK_KEY = 76_437_645;

/**
 * Whether this installation was ever bootstrapped, read under a transaction-scoped lock that
 * serialises instances starting together and a recovery run beside them. The marker is its own
 * row, not "admin_tokens is empty": revoking or deleting every token never re-arms the bootstrap.
 */
export async function lockInstallation(em: EntityManager): Promise<{ bootstrapped: boolean }> {
  await em.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
  const rows: unknown[] = await em.query(`SELECT 1 FROM installation_bootstrap`);
  return { bootstrapped: rows.length > 0 };
}

export async function markBootstrapped(em: EntityManager): Promise<void> {
  await em.query(`INSERT INTO installation_bootstrap DEFAULT VALUES`);
}

/**
 * `npm run admin:recover`: a new platform admin token for an operator who lost every one, minted
 * with database access (the trust that IAM_BOOTSTRAP_ADMIN_TOKEN never gets again).
 */
export async function recoverPlatformAdmin(dataSource: DataSource): Promise<{ id: string; token: string }> {
  return dataSource.transaction(async (em) => {
    if (!(await lockInstallation(em)).bootstrapped) {
      throw new Error(
        'this installation was never bootstrapped: start IAM once, and its first start prints an admin token',
      );
    }
    return insertPlatformAdminToken(em, { description: 'recovery admin token', createdBy: 'recovery' });
  });
}
