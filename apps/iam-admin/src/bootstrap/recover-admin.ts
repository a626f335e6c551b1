import { DataSource } from 'typeorm';
import { AdminTokensRepository } from '../admin-tokens/admin-tokens.repository';
import { insertPlatformAdminToken } from '../admin-tokens/platform-admin-tokens';
import { InstallationRepository } from './installation.repository';

/**
 * `npm run admin:recover`: a new platform admin token for an operator who lost every one, minted
 * with database access (the trust that IAM_BOOTSTRAP_ADMIN_TOKEN never gets again). Repositories
 * hold no state, so this command-line path builds them without Nest.
 */
export async function recoverPlatformAdmin(dataSource: DataSource): Promise<{ id: string; token: string }> {
  const installation = new InstallationRepository();
  return dataSource.transaction(async (em) => {
    if (!(await installation.lock(em)).bootstrapped) {
      throw new Error(
        'this installation was never bootstrapped: start IAM once, and its first start prints an admin token',
      );
    }
    return insertPlatformAdminToken(new AdminTokensRepository(), em, {
      description: 'recovery admin token',
      createdBy: 'recovery',
    });
  });
}
