import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The provisioning audit log also records changes of a tenant's provisioning settings (issue 12
 * part 1: "changes are audited"): resource type ProvisioningSettings, its resource id the identity
 * provider whose override changed (null: the tenant's own settings).
 */
export class ProvisioningAuditSettings1765100600000 implements MigrationInterface {
  name = 'ProvisioningAuditSettings1765100600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE provisioning_audit DROP CONSTRAINT provisioning_audit_resource_type_check`);
    await q.query(
      `ALTER TABLE provisioning_audit ADD CONSTRAINT provisioning_audit_resource_type_check
         CHECK (resource_type IN ('User', 'Group', 'ProvisioningSettings'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM provisioning_audit WHERE resource_type = 'ProvisioningSettings'`);
    await q.query(`ALTER TABLE provisioning_audit DROP CONSTRAINT provisioning_audit_resource_type_check`);
    await q.query(
      `ALTER TABLE provisioning_audit ADD CONSTRAINT provisioning_audit_resource_type_check
         CHECK (resource_type IN ('User', 'Group'))`,
    );
  }
}
