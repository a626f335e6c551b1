import { Injectable } from '@nestjs/common';
import { Db, returnedRows } from '@app/database';

/** How a subject signs in: with its tenant's Entra ID, or with the platform's built-in password. */
export type LoginMethod = 'entra' | 'built-in';
export const LOGIN_METHODS: readonly LoginMethod[] = ['entra', 'built-in'];

/** A subject's sign-in settings as stored; `loginMethod` null: the tenant's default (see LoginMethodsService). */
export interface SubjectCredentialsRow {
  subjectId: string;
  tenantId: string;
  loginMethod: LoginMethod | null;
  passwordHash: string | null;
  passwordChangedAt: Date | null;
  failedAttempts: number;
  lockedUntil: Date | null;
  invitationExpiresAt: Date | null;
}

/** What the login method of a subject without a stored choice depends on. */
export interface LoginSettings {
  credentials: SubjectCredentialsRow | undefined;
  /** The tenant has an enabled Entra ID provider that allows sign-in. */
  tenantSignsInWithEntra: boolean;
}

const COLUMNS = `c.subject_id AS "subjectId", c.tenant_id AS "tenantId", c.login_method AS "loginMethod",
  c.password_hash AS "passwordHash", c.password_changed_at AS "passwordChangedAt",
  c.failed_attempts AS "failedAttempts", c.locked_until AS "lockedUntil",
  c.invitation_expires_at AS "invitationExpiresAt"`;

/** The one owner of subject_credentials. Every statement is scoped to one tenant. */
@Injectable()
export class SubjectCredentialsRepository {
  async settings(db: Db, tenantId: string, subjectId: string): Promise<LoginSettings> {
    const rows: Array<SubjectCredentialsRow & { tenantSignsInWithEntra: boolean }> = await db.query(
      `SELECT ${COLUMNS},
              EXISTS (SELECT 1 FROM identity_providers p
                       WHERE p.tenant_id = $1 AND p.enabled AND p.login_enabled) AS "tenantSignsInWithEntra"
         FROM (VALUES (1)) AS one
         LEFT JOIN subject_credentials c ON c.tenant_id = $1 AND c.subject_id = $2`,
      [tenantId, subjectId],
    );
    const { tenantSignsInWithEntra, ...credentials } = rows[0]!;
    return { tenantSignsInWithEntra, credentials: credentials.subjectId ? credentials : undefined };
  }

  /**
   * For a page of subjects: the login methods operators chose (subjects without a choice are
   * absent), and what the default of the others depends on. One statement for the whole page.
   */
  async chosenLoginMethods(
    db: Db,
    tenantId: string,
    subjectIds: string[],
  ): Promise<{ chosen: Map<string, LoginMethod>; tenantSignsInWithEntra: boolean }> {
    const rows: Array<{ chosen: Record<string, LoginMethod>; tenantSignsInWithEntra: boolean }> =
      await db.query(
        `SELECT EXISTS (SELECT 1 FROM identity_providers p
                       WHERE p.tenant_id = $1 AND p.enabled AND p.login_enabled) AS "tenantSignsInWithEntra",
              COALESCE((SELECT jsonb_object_agg(c.subject_id, c.login_method) FROM subject_credentials c
                         WHERE c.tenant_id = $1 AND c.subject_id = ANY($2::uuid[]) AND c.login_method IS NOT NULL),
                       '{}'::jsonb) AS chosen`,
        [tenantId, subjectIds],
      );
    const { chosen, tenantSignsInWithEntra } = rows[0]!;
    return { chosen: new Map(Object.entries(chosen)), tenantSignsInWithEntra };
  }

  async setLoginMethod(db: Db, tenantId: string, subjectId: string, method: LoginMethod): Promise<void> {
    await db.query(
      `INSERT INTO subject_credentials (subject_id, tenant_id, login_method) VALUES ($2, $1, $3)
       ON CONFLICT (subject_id) DO UPDATE SET login_method = $3, updated_at = now()
       WHERE subject_credentials.tenant_id = $1`,
      [tenantId, subjectId, method],
    );
  }

  /** A new invitation replaces any pending one (only its digest is stored). */
  async setInvitation(
    db: Db,
    tenantId: string,
    subjectId: string,
    invitation: { digest: string; expiresAt: Date },
  ): Promise<void> {
    await db.query(
      `INSERT INTO subject_credentials (subject_id, tenant_id, invitation_digest, invitation_expires_at)
       VALUES ($2, $1, $3, $4)
       ON CONFLICT (subject_id) DO UPDATE SET invitation_digest = $3, invitation_expires_at = $4, updated_at = now()
       WHERE subject_credentials.tenant_id = $1`,
      [tenantId, subjectId, invitation.digest, invitation.expiresAt],
    );
  }

  /** The subject a pending, unexpired invitation is for. */
  async invitedSubject(db: Db, tenantId: string, digest: string): Promise<string | undefined> {
    const rows: Array<{ subjectId: string }> = await db.query(
      `SELECT subject_id AS "subjectId" FROM subject_credentials
        WHERE tenant_id = $1 AND invitation_digest = $2 AND invitation_expires_at > now()`,
      [tenantId, digest],
    );
    return rows[0]?.subjectId;
  }

  /**
   * Sets the password and uses the invitation up, in one statement: of two requests with the same
   * token only one finds it still pending. Clears failures and any lock.
   */
  async acceptInvitation(db: Db, tenantId: string, digest: string, passwordHash: string): Promise<boolean> {
    const result = await db.query(
      `UPDATE subject_credentials
          SET password_hash = $3, password_changed_at = now(), invitation_digest = NULL,
              invitation_expires_at = NULL, failed_attempts = 0, locked_until = NULL, updated_at = now()
        WHERE tenant_id = $1 AND invitation_digest = $2 AND invitation_expires_at > now()
        RETURNING subject_id`,
      [tenantId, digest, passwordHash],
    );
    return returnedRows(result).length === 1;
  }

  /** One more failed password in a row (counted atomically, so parallel guesses all count); the new count. */
  async recordFailure(db: Db, tenantId: string, subjectId: string): Promise<number> {
    const rows: Array<{ failedAttempts: number }> = await db.query(
      `INSERT INTO subject_credentials (subject_id, tenant_id, failed_attempts) VALUES ($2, $1, 1)
       ON CONFLICT (subject_id) DO UPDATE SET failed_attempts = subject_credentials.failed_attempts + 1,
         updated_at = now()
       WHERE subject_credentials.tenant_id = $1
       RETURNING failed_attempts AS "failedAttempts"`,
      [tenantId, subjectId],
    );
    return rows[0]!.failedAttempts;
  }

  /** Locks until then, never shortening a longer lock a parallel failure set. */
  async lockUntil(db: Db, tenantId: string, subjectId: string, until: Date): Promise<void> {
    await db.query(
      `UPDATE subject_credentials SET locked_until = GREATEST(locked_until, $3), updated_at = now()
        WHERE tenant_id = $1 AND subject_id = $2`,
      [tenantId, subjectId, until],
    );
  }

  async recordSuccess(db: Db, tenantId: string, subjectId: string): Promise<void> {
    await db.query(
      `UPDATE subject_credentials SET failed_attempts = 0, locked_until = NULL, updated_at = now()
        WHERE tenant_id = $1 AND subject_id = $2 AND (failed_attempts > 0 OR locked_until IS NOT NULL)`,
      [tenantId, subjectId],
    );
  }
}
