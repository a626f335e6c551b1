import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isForeignKeyViolation } from '@app/database';
import { AdminPrincipal } from '../auth/admin-principal';
import { IdentityProvidersRepository } from '../identity-providers/identity-providers.repository';
import { ProvisioningSettingsResponseDto, ProvisioningSettingsUpdateDto } from './provisioning-settings.dto';
import { ProvisioningSettings, ProvisioningSettingsRepository } from './provisioning-settings.repository';

/** What a PUT leaves out. */
const DEFAULTS: ProvisioningSettings = {
  defaultRole: null,
  defaultUserType: null,
  requireVerifiedDomain: false,
  ignoreUnknownFolders: false,
  allowedMetadataKeys: null,
};

/**
 * The tenant's provisioning settings (/v1/provisioning/settings) and its identity providers'
 * overrides. There is no tenant-level subject event; a change is recorded in the application log
 * (ids and field names, no values that could be personal data) and on the row (version,
 * updatedAt, updatedBy).
 */
@Injectable()
export class ProvisioningSettingsService {
  private readonly logger = new Logger(ProvisioningSettingsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: ProvisioningSettingsRepository,
    private readonly providers: IdentityProvidersRepository,
  ) {}

  /** For a provider: its override, else the tenant's settings that its commands follow. */
  async get(tenantId: string, provider: string | null): Promise<ProvisioningSettingsResponseDto> {
    if (provider !== null) await this.requireProvider(tenantId, provider);
    const row = await this.settings.effective(this.dataSource, tenantId, provider);
    return ProvisioningSettingsResponseDto.map(provider, row);
  }

  async put(
    tenantId: string,
    provider: string | null,
    dto: ProvisioningSettingsUpdateDto,
    principal: AdminPrincipal,
  ): Promise<ProvisioningSettingsResponseDto> {
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
      saved = await this.settings.save(this.dataSource, tenantId, provider, settings, principal.subject);
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
    if (!(await this.settings.delete(this.dataSource, tenantId, provider))) {
      throw new NotFoundException(
        provider === null
          ? 'this tenant has no provisioning settings'
          : `identity provider '${provider}' has no provisioning settings of its own`,
      );
    }
    this.logger.log({ tenantId, provider, updatedBy: principal.subject }, 'provisioning settings removed');
  }

  private async requireProvider(tenantId: string, scheme: string): Promise<void> {
    if (!(await this.providers.findByScheme(this.dataSource, tenantId, scheme))) providerNotFound(scheme);
  }
}

function providerNotFound(scheme: string): never {
  throw new NotFoundException(`identity provider '${scheme}' does not exist in this tenant`);
}
