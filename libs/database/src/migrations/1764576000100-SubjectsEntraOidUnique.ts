import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One live subject per Entra object id in a tenant, whatever the GUID's case: sign-in writes and
 * compares oids in lowercase, and the index makes a second subject bound to the same person
 * impossible. Subjects not bound yet are found by lower(external_id), so that gets an index too.
 *
 * Existing rows: oids are lowercased. If two live subjects of one tenant are already bound to the
 * same oid, the migration stops and names them rather than choose which account that person gets
 * (a security decision for an operator); see `duplicateBindingsMessage`.
 */
export class SubjectsEntraOidUnique1764576000100 implements MigrationInterface {
  name = 'SubjectsEntraOidUnique1764576000100';

  async up(q: QueryRunner): Promise<void> {
    // No sign-in binds a subject between the check and the index.
    await q.query(`LOCK TABLE subjects IN SHARE MODE`);
    const duplicates: DuplicateBinding[] = await q.query(`
      SELECT tenant_id AS "tenantId", lower(entra_oid) AS oid, array_agg(id::text ORDER BY id) AS "subjectIds"
        FROM subjects
       WHERE deleted_at IS NULL AND entra_oid IS NOT NULL
       GROUP BY tenant_id, lower(entra_oid)
      HAVING count(*) > 1
       ORDER BY tenant_id, lower(entra_oid)`);
    if (duplicates.length > 0) throw new Error(duplicateBindingsMessage(duplicates));
    await q.query(`UPDATE subjects SET entra_oid = lower(entra_oid) WHERE entra_oid <> lower(entra_oid)`);
    await q.query(`DROP INDEX ix_subjects_tenant_entra_oid`);
    await q.query(
      `CREATE UNIQUE INDEX uq_subjects_tenant_entra_oid ON subjects (tenant_id, lower(entra_oid))
        WHERE deleted_at IS NULL AND entra_oid IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX ix_subjects_tenant_unbound_external_id ON subjects (tenant_id, lower(external_id))
        WHERE deleted_at IS NULL AND entra_oid IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_subjects_tenant_unbound_external_id`);
    await q.query(`DROP INDEX uq_subjects_tenant_entra_oid`);
    await q.query(
      `CREATE INDEX ix_subjects_tenant_entra_oid ON subjects (tenant_id, entra_oid) WHERE entra_oid IS NOT NULL`,
    );
  }
}

interface DuplicateBinding {
  tenantId: string;
  oid: string;
  subjectIds: string[];
}

/** What an operator needs to resolve duplicate bindings: which subjects, and how. */
export function duplicateBindingsMessage(duplicates: DuplicateBinding[]): string {
  const listed = duplicates
    .slice(0, 20)
    .map((d) => `tenant ${d.tenantId}, oid ${d.oid}: subjects ${d.subjectIds.join(', ')}`);
  const more = duplicates.length > 20 ? [`… and ${duplicates.length - 20} more`] : [];
  return [
    `${duplicates.length} Entra object id(s) are bound to more than one live subject of the same tenant, so`,
    'the unique index on subjects (tenant_id, lower(entra_oid)) cannot be created:',
    ...listed,
    ...more,
    'For each, decide which subject is that person and unbind the others',
    "(UPDATE subjects SET entra_oid = NULL WHERE id IN ('…')) or deprovision them; then run the migrations again.",
  ].join('\n');
}
