import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Db, queryPage, returnedRows, RowPage } from '@app/database';
import { Filter, filterToSql, USER_TABLE_MAPPING, userGroupsSql, type UserDocument } from '@app/scim';

/** Where a subject came from: SCIM provisioning, a just-in-time sign-in, or an operator. */
export type SubjectSource = 'scim' | 'sso-jit' | 'admin';

/**
 * A subject (a provisioned person) of a tenant. `document` is the SCIM User as last written; the
 * other columns are copies of what filters and uniqueness need. A deprovisioned subject keeps its
 * row (`deletedAt` set) as a tombstone for audit; SCIM no longer sees it.
 */
export interface SubjectRow {
  id: string;
  tenantId: string;
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  document: Record<string, unknown>;
  /** Scheme of the identity provider that created it (SCIM token's provider, or sign-in). */
  provider: string | null;
  source: SubjectSource;
  /** The Entra object id (oid) a sign-in bound it to, lowercase. */
  entraOid: string | null;
  /** 'scim' once a SCIM command created or updated it: Entra owns its account attributes. */
  managedBy: string | null;
  /** Ids of the folders it has access to (the resolved set of its SCIM folders values), sorted. */
  folders: string[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  /** Its direct groups (`{value, display}`), where a command read them with the row (see WRITTEN_COLUMNS). */
  groups?: Array<{ value: string; display: string }>;
}

/** Columns copied out of the SCIM document for indexes and filters. */
export interface SubjectColumns {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  document: Record<string, unknown>;
}

/** The columns a normalised SCIM User document gives its subject's row. */
export function subjectColumnsOf(document: UserDocument): SubjectColumns {
  return {
    userName: document.userName,
    externalId: typeof document.externalId === 'string' ? document.externalId : null,
    displayName: typeof document.displayName === 'string' ? document.displayName : null,
    active: document.active !== false,
    document,
  };
}

/** The subjects columns as a SubjectRow, spelled once; `table` is the name or alias in the query. */
export const subjectColumns = (table = 'subjects'): string =>
  `${table}.id, ${table}.tenant_id AS "tenantId", ${table}.user_name AS "userName",
   ${table}.external_id AS "externalId", ${table}.display_name AS "displayName", ${table}.active,
   ${table}.document, ${table}.provider, ${table}.source, ${table}.entra_oid AS "entraOid", ${table}.version,
   ${table}.created_at AS "createdAt", ${table}.updated_at AS "updatedAt", ${table}.deleted_at AS "deletedAt",
   ${table}.managed_by AS "managedBy",
   ARRAY(SELECT sf.folder_id::text FROM subject_folders sf WHERE sf.subject_id = ${table}.id ORDER BY 1) AS folders`;

/** Most groups a User command's result carries (see WRITTEN_COLUMNS). */
export const GROUPS_IN_RESULT_MAX = 1000;

/**
 * A subject row as a User command reads and writes it: with its groups, in the same statement, so
 * the gateway answers a PATCH or PUT without reading the User back. One more than
 * GROUPS_IN_RESULT_MAX is read: a longer list is left out of the result (the gateway then reads the
 * User back), so no command result, job or event stream carries an unbounded list.
 */
const WRITTEN_COLUMNS = `${subjectColumns()}, ${userGroupsSql('subjects', GROUPS_IN_RESULT_MAX + 1)} AS groups`;

/**
 * The Entra object id a subject is bound to, in lowercase (a GUID's case means nothing): the one an
 * earlier sign-in recorded (entra_oid, always written in lowercase), or until then its SCIM
 * externalId when that is a GUID, as Entra fills it with the object id.
 */
const BOUND_OID = `lower(COALESCE(entra_oid,
  CASE WHEN external_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN external_id END))`;

/**
 * The same as `BOUND_OID = $2` for a lowercase $2, written so that indexes serve it: the unique
 * (tenant_id, lower(entra_oid)) one and (tenant_id, lower(external_id)) of subjects not bound yet.
 */
const BOUND_TO_OID = `(lower(entra_oid) = $2 OR (entra_oid IS NULL AND lower(external_id) = $2))`;

/** A subject as sign-in sees it: with the object id it is bound to (see BOUND_OID). */
export type SignInSubjectRow = SubjectRow & { boundOid: string | null };

/** What decides whether an IAM session may go on (see IamTokensService). */
export interface SessionStanding {
  active: boolean;
  deleted: boolean;
  tenantEnabled: boolean;
  /** False as well when the provider is gone. */
  providerEnabled: boolean;
}

/** The one owner of the subjects table. Every statement is scoped to one tenant. */
@Injectable()
export class SubjectsRepository {
  async insert(
    db: Db,
    tenantId: string,
    columns: SubjectColumns,
    origin: { provider: string | null; source: SubjectSource; entraOid?: string; managedBy?: string | null },
  ): Promise<SubjectRow> {
    const rows: SubjectRow[] = await db.query(
      `INSERT INTO subjects (tenant_id, user_name, external_id, display_name, active, document, provider, source, entra_oid, managed_by, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)
       RETURNING ${subjectColumns()}`,
      [
        tenantId,
        columns.userName,
        columns.externalId,
        columns.displayName,
        columns.active,
        columns.document,
        origin.provider,
        origin.source,
        origin.entraOid ?? null,
        origin.managedBy ?? null,
      ],
    );
    return rows[0]!;
  }

  /**
   * The live subject, locked until the transaction ends so concurrent commands cannot lose updates;
   * with its groups, which the command's answer shows.
   */
  async findForUpdate(em: EntityManager, tenantId: string, id: string): Promise<SubjectRow | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: SubjectRow[] = await em.query(
      `SELECT ${WRITTEN_COLUMNS} FROM subjects
        WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL FOR UPDATE`,
      [tenantId, id],
    );
    return rows[0];
  }

  /** `managedBy` undefined leaves who manages it as it is. */
  async update(
    db: Db,
    subject: SubjectRow,
    columns: SubjectColumns,
    managedBy?: string | null,
  ): Promise<SubjectRow> {
    const result = await db.query(
      `UPDATE subjects SET user_name = $3, external_id = $4, display_name = $5, active = $6, document = $7,
         managed_by = CASE WHEN $8::boolean THEN $9 ELSE managed_by END, version = version + 1, updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING ${WRITTEN_COLUMNS}`,
      [
        subject.tenantId,
        subject.id,
        columns.userName,
        columns.externalId,
        columns.displayName,
        columns.active,
        columns.document,
        managedBy !== undefined,
        managedBy ?? null,
      ],
    );
    return returnedRows<SubjectRow>(result)[0]!;
  }

  /** Deprovisioning keeps the row as a tombstone for audit (memberships are the caller's to end). */
  async markDeleted(db: Db, subject: SubjectRow): Promise<void> {
    await db.query(
      `UPDATE subjects SET deleted_at = now(), active = false, version = version + 1, updated_at = now()
       WHERE tenant_id = $1 AND id = $2`,
      [subject.tenantId, subject.id],
    );
  }

  /** Which of these ids are live subjects of the tenant (ids that are not UUIDs are simply absent). */
  async liveIds(db: Db, tenantId: string, ids: string[]): Promise<Set<string>> {
    const candidates = ids.filter((id) => isUUID(id));
    if (candidates.length === 0) return new Set();
    const rows: Array<{ id: string }> = await db.query(
      `SELECT id FROM subjects WHERE tenant_id = $1 AND deleted_at IS NULL AND id = ANY($2::uuid[])`,
      [tenantId, candidates],
    );
    return new Set(rows.map((r) => r.id));
  }

  async findLive(db: Db, tenantId: string, id: string): Promise<SubjectRow | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: SubjectRow[] = await db.query(
      `SELECT ${subjectColumns()} FROM subjects WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`,
      [tenantId, id],
    );
    return rows[0];
  }

  /** Any subject of the tenant, deprovisioned ones included. */
  async find(db: Db, tenantId: string, id: string): Promise<SubjectRow | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: SubjectRow[] = await db.query(
      `SELECT ${subjectColumns()} FROM subjects WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows[0];
  }

  /**
   * Live subjects, oldest first; a SCIM filter narrows them exactly as the gateway's GET /Users
   * would (same mapping, values only as parameters). Throws the filter's ScimError when it names
   * what a User does not have.
   */
  livePage(
    db: Db,
    tenantId: string,
    page: { limit: number; offset: number },
    filter?: Filter,
  ): Promise<RowPage<SubjectRow>> {
    const matched = filter ? filterToSql(filter, USER_TABLE_MAPPING, 1) : { sql: 'true', params: [] };
    const where = `s.tenant_id = $1 AND s.deleted_at IS NULL AND ${matched.sql}`;
    return queryPage(
      db,
      `SELECT ${subjectColumns('s')} FROM subjects s WHERE ${where} ORDER BY s.created_at, s.id`,
      `SELECT count(*)::int AS n FROM subjects s WHERE ${where}`,
      [tenantId, ...matched.params],
      page,
    );
  }

  /** Sign-in: the live subject bound to this (lowercase) Entra object id, row-locked. */
  findBoundToOid(em: EntityManager, tenantId: string, oid: string): Promise<SignInSubjectRow | undefined> {
    return this.findForSignIn(em, tenantId, BOUND_TO_OID, [oid], false);
  }

  /** Sign-in: the live subject with this userName (case-insensitively), row-locked. */
  findByUserName(
    em: EntityManager,
    tenantId: string,
    userName: string,
  ): Promise<SignInSubjectRow | undefined> {
    return this.findForSignIn(em, tenantId, `lower(user_name) = lower($2)`, [userName], false);
  }

  /**
   * Sign-in: a deprovisioned subject this person may be: the one bound to this oid, or one of this
   * userName that no oid tells apart from them.
   */
  findDeprovisioned(
    em: EntityManager,
    tenantId: string,
    oid: string,
    userName: string | undefined,
  ): Promise<SignInSubjectRow | undefined> {
    return this.findForSignIn(
      em,
      tenantId,
      `(${BOUND_TO_OID} OR (lower(user_name) = lower($3) AND ${BOUND_OID} IS NULL))`,
      [oid, userName ?? null],
      true,
    );
  }

  /** Binds the subject to an Entra object id, lowercase (as the unique index on lower(entra_oid) wants). */
  async recordEntraOid(db: Db, subject: SubjectRow, oid: string): Promise<void> {
    await db.query(`UPDATE subjects SET entra_oid = $3 WHERE tenant_id = $1 AND id = $2`, [
      subject.tenantId,
      subject.id,
      oid.toLowerCase(),
    ]);
    subject.entraOid = oid.toLowerCase();
  }

  /** Whether the subject, its tenant and the provider it signed in through would still let it sign in. */
  async sessionStanding(
    db: Db,
    tenantId: string,
    subjectId: string,
    providerScheme: string,
  ): Promise<SessionStanding | undefined> {
    if (!isUUID(subjectId)) return undefined;
    const rows: SessionStanding[] = await db.query(
      `SELECT s.active, s.deleted_at IS NOT NULL AS deleted, t.enabled AS "tenantEnabled",
              COALESCE(p.enabled AND p.login_enabled, false) AS "providerEnabled"
         FROM subjects s
         JOIN tenants t ON t.id = s.tenant_id
         LEFT JOIN identity_providers p ON p.tenant_id = s.tenant_id AND p.scheme = $3
        WHERE s.id = $2 AND s.tenant_id = $1`,
      [tenantId, subjectId, providerScheme],
    );
    return rows[0];
  }

  /** One live (or, with `deleted`, deprovisioned) subject of the tenant, row-locked until commit. */
  private async findForSignIn(
    em: EntityManager,
    tenantId: string,
    condition: string,
    params: unknown[],
    deleted: boolean,
  ): Promise<SignInSubjectRow | undefined> {
    const rows: SignInSubjectRow[] = await em.query(
      `SELECT ${subjectColumns()}, ${BOUND_OID} AS "boundOid" FROM subjects
        WHERE tenant_id = $1 AND deleted_at IS ${deleted ? 'NOT ' : ''}NULL AND ${condition}
        ORDER BY entra_oid IS NOT NULL DESC, updated_at DESC
        LIMIT 1
        FOR UPDATE`,
      [tenantId, ...params],
    );
    return rows[0];
  }
}
