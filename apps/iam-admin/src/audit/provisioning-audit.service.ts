import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Db } from '@app/database';
import { decodeCursor, encodeCursor } from './audit-cursor';
import {
  AUDIT_PAGE_DEFAULT,
  ProvisioningAuditPageDto,
  ProvisioningAuditQueryDto,
} from './provisioning-audit.dto';
import { ProvisioningAuditEntry, ProvisioningAuditRepository } from './provisioning-audit.repository';

/**
 * The provisioning audit log: every provisioning command (SCIM, operator API, just-in-time
 * sign-in) and its outcome per tenant, what an operator reads when Entra says "skipped" or "failed".
 */
@Injectable()
export class ProvisioningAuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly entries: ProvisioningAuditRepository,
  ) {}

  /**
   * Records entries with one INSERT on `db`: pass the transaction of the change itself, so that
   * an audited success is exactly a committed change.
   */
  record(db: Db, ...entries: ProvisioningAuditEntry[]): Promise<void> {
    return this.entries.insert(db, ...entries);
  }

  async list(tenantId: string, query: ProvisioningAuditQueryDto): Promise<ProvisioningAuditPageDto> {
    const limit = query.limit ?? AUDIT_PAGE_DEFAULT;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.entries.page(
      this.dataSource,
      tenantId,
      {
        from: query.from === undefined ? undefined : new Date(query.from),
        to: query.to === undefined ? undefined : new Date(query.to),
        resourceId: query.subjectId,
        userName: query.userName,
        outcome: query.outcome,
        operation: query.operation,
        resourceType: query.resourceType,
        source: query.source,
      },
      after,
      limit + 1, // one more than asked: whether there is a next page
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, limit, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }
}
