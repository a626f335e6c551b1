import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Db, returnedRows } from '@app/database';

export interface TenantRow {
  id: string;
  displayName: string;
  /** False: its admin calls, sign-ins and SCIM requests are refused. */
  enabled: boolean;
  /** The tenant created by the first start of an installation. */
  isDefault: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, display_name AS "displayName", enabled, is_default AS "isDefault",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The one owner of the tenants table. */
@Injectable()
export class TenantsRepository {
  async insert(db: Db, tenant: { displayName: string; isDefault?: boolean }): Promise<TenantRow> {
    const rows: TenantRow[] = await db.query(
      `INSERT INTO tenants (display_name, is_default) VALUES ($1, $2) RETURNING ${COLUMNS}`,
      [tenant.displayName, tenant.isDefault ?? false],
    );
    return rows[0]!;
  }

  async find(db: Db, id: string): Promise<TenantRow | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: TenantRow[] = await db.query(`SELECT ${COLUMNS} FROM tenants WHERE id = $1`, [id]);
    return rows[0];
  }

  /** The tenant, locked until the transaction ends (an update reads what it changes). */
  async findForUpdate(em: EntityManager, id: string): Promise<TenantRow | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: TenantRow[] = await em.query(`SELECT ${COLUMNS} FROM tenants WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0];
  }

  async findDefault(db: Db): Promise<TenantRow | undefined> {
    const rows: TenantRow[] = await db.query(`SELECT ${COLUMNS} FROM tenants WHERE is_default LIMIT 1`);
    return rows[0];
  }

  list(db: Db): Promise<TenantRow[]> {
    return db.query(`SELECT ${COLUMNS} FROM tenants ORDER BY created_at, id`);
  }

  async update(
    db: Db,
    id: string,
    changes: { displayName?: string; enabled?: boolean },
  ): Promise<TenantRow | undefined> {
    const result = await db.query(
      `UPDATE tenants SET display_name = COALESCE($2, display_name), enabled = COALESCE($3, enabled),
         updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, changes.displayName ?? null, changes.enabled ?? null],
    );
    return returnedRows<TenantRow>(result)[0];
  }
}
