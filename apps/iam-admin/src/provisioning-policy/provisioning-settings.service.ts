import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { isForeignKeyViolation } from '@app/database';
import { ProvisioningAuditService } from '../audit/provisioning-audit.service';
import { SubjectEventType } from '@app/contracts';
import { AdminPrincipal } from '../auth/admin-principal';
import { SubjectEventsOutbox } from '../events/subject-events.outbox';
import { IdentityProvidersRepository } from '../identity-providers/identity-providers.repository';
import { TenantConfigCacheService } from '../tenant-config-cache/tenant-config-cache.service';
import { ProvisioningSettingsResponseDto, ProvisioningSettingsUpdateDto } from './provisioning-settings.dto';
import {
  effectiveSettings,
  ProvisioningSettings,
  ProvisioningSettingsRepository,
} from './provisioning-settings.repository';

/** What a PUT leaves out. */
const DEFAULTS: ProvisioningSettings = {
  defaultRole: null,
  defaultUserType: null,
  requireVerifiedDomain: false,
  ignoreUnknownFolders: false,
  allowedMetadataKeys: null,
};

/** The settings' field names, as a change records them in the audit log. */
const FIELDS = Object.keys(DEFAULTS) as Array<keyof ProvisioningSettings>;

/**
 * The tenant's provisioning settings (/v1/provisioning/settings) and its identity providers'
 * overrides. A change is recorded in the provisioning audit log, in the same transaction (resource
 * type ProvisioningSettings, the names of the fields that changed, the operator), and on the row
 * (version, updatedAt, updatedBy), and evented (`tenant.provisioning-settings-changed`, through the
 * outbox in the same transaction) so internal services learn how new SCIM writes will be judged,
 * and announced to every IAM instance's tenant configuration cache at commit.
 */
@Injectable()
export class ProvisioningSettingsService {
  private readonly logger = new Logger(ProvisioningSettingsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: ProvisioningSettingsRepository,
    private readonly providers: IdentityProvidersRepository,
    private readonly audit: ProvisioningAuditService,
    private readonly events: SubjectEventsOutbox,
    private readonly tenantConfig: TenantConfigCacheService,
  ) {}

  /**
   * For a provider: its override, else the tenant's settings that its commands follow. Read from
   * the database, not the cache: an operator reading right after a change on another instance
   * sees it.
   */
  async get(tenantId: string, provider: string | null): Promise<ProvisioningSettingsResponseDto> {
    if (provider !== null) await this.requireProvider(tenantId, provider);
    const rows = await this.settings.forTenant(this.dataSource, tenantId);
    return ProvisioningSettingsResponseDto.map(provider, effectiveSettings(rows, provider));
  }

  async put(
    tenantId: string,
    provider: string | null,
    dto: ProvisioningSettingsUpdateDto,
    principal: AdminPrincipal,
  ): Promise<ProvisioningSettingsResponseDto> {
    const startedAt = performance.now();
    if (provider !== null) await this.requireProvider(tenantId, provider);
    const settings: ProvisioningSettings = {
      defaultRole: dto.defaultRole ?? DEFAULTS.defaultRole,
      defaultUserType: dto.defaultUserType ?? DEFAULTS.defaultUserType,
      requireVerifiedDomain: dto.requireVerifiedDomain ?? DEFAULTS.requireVerifiedDomain,
      ignoreUnknownFolders: dto.ignoreUnknownFolders ?? DEFAULTS.ignoreUnknownFolders,
      allowedMetadataKeys: dto.allowedMetadataKeys ?? DEFAULTS.allowedMetadataKeys,
    };
    let saved;
    try {
      saved = await this.tenantConfig.change(tenantId, async (em) => {
        const before = await this.settings.find(em, tenantId, provider);
        const row = await this.settings.save(em, tenantId, provider, settings, principal.subject);
        const changedAttributes = changedFields(before ?? DEFAULTS, settings);
        await this.audit.record(em, {
          ...auditEntry(tenantId, provider, principal, startedAt),
          operation: before ? 'replace' : 'create',
          status: 200,
          changedAttributes,
        });
        await this.recordChange(em, tenantId, provider, changedAttributes, {
          ...settings,
          version: row.version,
        });
        return row;
      });
    } catch (error) {
      // The provider was deleted between the check and the save.
      if (isForeignKeyViolation(error)) providerNotFound(provider ?? '');
      throw error;
    }
    this.logger.log(
      { tenantId, provider, version: saved.version, updatedBy: principal.subject },
      'provisioning settings saved',
    );
    return ProvisioningSettingsResponseDto.map(provider, saved);
  }

  /** Without a provider the tenant's policy is off again; with one, its commands follow the tenant's. */
  async delete(tenantId: string, provider: string | null, principal: AdminPrincipal): Promise<void> {
    const startedAt = performance.now();
    await this.tenantConfig.change(tenantId, async (em) => {
      const before = await this.settings.find(em, tenantId, provider);
      if (!before || !(await this.settings.delete(em, tenantId, provider))) {
        throw new NotFoundException(
          provider === null
            ? 'this tenant has no provisioning settings'
            : `identity provider '${provider}' has no provisioning settings of its own`,
        );
      }
      // What the removal changes: the fields the removed settings had set.
      const changedAttributes = changedFields(DEFAULTS, before);
      await this.audit.record(em, {
        ...auditEntry(tenantId, provider, principal, startedAt),
        operation: 'delete',
        status: 204,
        changedAttributes,
      });
      await this.recordChange(em, tenantId, provider, changedAttributes, null);
    });
    this.logger.log({ tenantId, provider, updatedBy: principal.subject }, 'provisioning settings removed');
  }

  /** The subject-change stream's tenant event for a settings change, in the change's transaction. */
  private recordChange(
    em: EntityManager,
    tenantId: string,
    provider: string | null,
    changedAttributes: string[],
    state: Record<string, unknown> | null,
  ): Promise<void> {
    return this.events.record(em, 'admin', [
      {
        type: SubjectEventType.TenantProvisioningSettingsChanged,
        tenantId,
        provider,
        changedAttributes,
        state,
      },
    ]);
  }

  private async requireProvider(tenantId: string, scheme: string): Promise<void> {
    if (!(await this.providers.findByScheme(this.dataSource, tenantId, scheme))) providerNotFound(scheme);
  }
}

/** An operator's settings change as the provisioning audit log records it. */
function auditEntry(tenantId: string, provider: string | null, principal: AdminPrincipal, startedAt: number) {
  return {
    tenantId,
    source: 'admin' as const,
    actor: principal.subject,
    provider,
    resourceType: 'ProvisioningSettings' as const,
    resourceId: provider,
    userName: null,
    outcome: 'success' as const,
    durationMs: performance.now() - startedAt,
  };
}

/** Names of the settings whose values differ (never the values: the audit log keeps names only). */
function changedFields(before: ProvisioningSettings, after: ProvisioningSettings): string[] {
  return FIELDS.filter((field) => !isDeepStrictEqual(before[field], after[field]));
}

function providerNotFound(scheme: string): never {
  throw new NotFoundException(`identity provider '${scheme}' does not exist in this tenant`);
}
