import { MigrationInterface, QueryRunner } from 'typeorm';

export class ProvisioningPolicy1765100000000 implements MigrationInterface {
  name = 'ProvisioningPolicy1765100000000';

  async up(q: QueryRunner): Promise<void> {
    // A tenant's provisioning policy (provider NULL), and overrides for one identity provider's SCIM
    // commands. No row: the tenant has not opted in, and no policy applies.
    await q.query(`
      CREATE TABLE provisioning_settings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        provider text,
        default_role text,
        default_user_type text,
        require_verified_domain boolean NOT NULL DEFAULT false,
        ignore_unknown_folders boolean NOT NULL DEFAULT false,
        allowed_metadata_keys text[],
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text,
        CONSTRAINT fk_provisioning_settings_provider FOREIGN KEY (tenant_id, provider)
          REFERENCES identity_providers (tenant_id, scheme) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_provisioning_settings_tenant_provider ON provisioning_settings (tenant_id, (COALESCE(provider, '')))`,
    );
    // Folders are tenant data; SCIM names them by id or externalId, both unique case-insensitively.
    await q.query(`
      CREATE TABLE folders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        display_name text NOT NULL,
        external_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_folders_tenant_display_name ON folders (tenant_id, lower(display_name))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX uq_folders_tenant_external_id ON folders (tenant_id, lower(external_id)) WHERE external_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX ix_folders_tenant_created ON folders (tenant_id, created_at, id)`);
    // A subject's folder access: the resolved set of its SCIM folders values.
    await q.query(`
      CREATE TABLE subject_folders (
        tenant_id uuid NOT NULL,
        subject_id uuid NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
        folder_id uuid NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        PRIMARY KEY (subject_id, folder_id)
      )`);
    await q.query(`CREATE INDEX ix_subject_folders_folder ON subject_folders (folder_id)`);
    // Who manages the subject's account: 'scim' once a SCIM command created or updated it.
    await q.query(`ALTER TABLE subjects ADD COLUMN managed_by text`);
    await q.query(`UPDATE subjects SET managed_by = 'scim' WHERE source = 'scim'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subjects DROP COLUMN managed_by`);
    await q.query(`DROP TABLE subject_folders`);
    await q.query(`DROP TABLE folders`);
    await q.query(`DROP TABLE provisioning_settings`);
  }
}
