import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isForeignKeyViolation, isUniqueViolation } from '@app/database';
import { OutboundAddressPolicy } from '@app/platform';
import { SEALED_COLUMNS } from '../crypto/sealed-columns';
import { SecretCipher } from '../crypto/secret-cipher';
import { FieldValidationException } from '../errors/validation';
import { assertOutboundUrl } from '../outbound/outbound-url';
import { ScimAccessAnnouncer } from '../scim-tokens/scim-access-announcer';
import { ScimTokenRow, ScimTokensRepository } from '../scim-tokens/scim-tokens.repository';
import { TenantConfigCacheService } from '../tenant-config-cache/tenant-config-cache.service';
import { ConnectorDetails } from './connector-details';
import { multiTenantIssuerTemplate } from './provider-urls';
import {
  AzureAdPropertiesPatchDto,
  AzureAdProviderCreateDto,
  AzureAdProviderPatchDto,
  AzureAdProviderReplaceDto,
  AzureAdProviderResponseDto,
} from './identity-provider.dto';
import {
  IdentityProviderRow,
  IdentityProvidersRepository,
  IdentityProviderWrite,
} from './identity-providers.repository';

const AZURE_AD = 'azuread';

/** What a create or a PUT leaves unsaid. */
const DEFAULTS = {
  enabled: true,
  loginEnabled: true,
  visible: true,
  delegationEnabled: false,
  autoProvisioningEnabled: false,
  usePkce: true,
  responseType: 'code',
  scope: 'openid profile email',
  redirectUris: [] as string[],
  allowedEntraTenantIds: [] as string[],
} as const;

type Settings = Omit<AzureAdProviderPatchDto, 'properties'> & AzureAdPropertiesPatchDto;

@Injectable()
export class IdentityProvidersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly providers: IdentityProvidersRepository,
    private readonly scimTokens: ScimTokensRepository,
    private readonly cipher: SecretCipher,
    private readonly announcer: ScimAccessAnnouncer,
    private readonly outbound: OutboundAddressPolicy,
    private readonly connector: ConnectorDetails,
    private readonly tenantConfig: TenantConfigCacheService,
  ) {}

  async create(tenantId: string, dto: AzureAdProviderCreateDto): Promise<AzureAdProviderResponseDto> {
    const provider = this.apply(
      {
        // Chosen here, not by the database, so the client secret can be sealed bound to this row.
        id: randomUUID(),
        tenantId,
        scheme: dto.scheme,
        kind: AZURE_AD,
        hasClientSecret: false,
      },
      { ...DEFAULTS, ...withoutUndefined(flatten(dto)) },
    );
    try {
      return this.response(await this.providers.insert(this.dataSource, provider));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictException(`an identity provider with scheme '${dto.scheme}' already exists`);
      }
      throw error;
    }
  }

  async list(tenantId: string): Promise<AzureAdProviderResponseDto[]> {
    return (await this.providers.list(this.dataSource, tenantId)).map((p) => this.response(p));
  }

  async get(tenantId: string, scheme: string): Promise<AzureAdProviderResponseDto> {
    return this.response(await this.find(tenantId, scheme));
  }

  async replace(
    tenantId: string,
    scheme: string,
    dto: AzureAdProviderReplaceDto,
  ): Promise<AzureAdProviderResponseDto> {
    if (dto.scheme !== undefined && dto.scheme !== scheme) {
      throw new FieldValidationException([{ field: 'scheme', message: 'scheme cannot be changed' }]);
    }
    const provider = await this.find(tenantId, scheme);
    return this.save(provider, { ...DEFAULTS, ...withoutUndefined(flatten(dto)) });
  }

  async patch(
    tenantId: string,
    scheme: string,
    dto: AzureAdProviderPatchDto,
  ): Promise<AzureAdProviderResponseDto> {
    const provider = await this.find(tenantId, scheme);
    return this.save(provider, withoutUndefined(flatten(dto)));
  }

  /** Saves a change to an existing provider; disabling it ends its SCIM tokens' access at once. */
  private async save(provider: IdentityProviderRow, settings: Settings): Promise<AzureAdProviderResponseDto> {
    const { createdAt: _createdAt, updatedAt: _updatedAt, ...current } = provider;
    const saved = await this.providers.update(this.dataSource, this.apply(current, settings));
    if (provider.enabled && !saved.enabled) await this.announcer.identityProviderDisabled(saved.id);
    return this.response(saved);
  }

  async delete(tenantId: string, scheme: string): Promise<void> {
    const provider = await this.find(tenantId, scheme);
    const tokens = await this.scimTokens.linkedTo(this.dataSource, tenantId, provider.id);
    if (tokens.length > 0) throw linkedTokensConflict(scheme, tokens);
    try {
      // Its provisioning settings override goes with it (ON DELETE CASCADE): cached settings too.
      await this.tenantConfig.change(tenantId, (em) => this.providers.delete(em, tenantId, provider.id));
    } catch (error) {
      // A token created between the check and the delete: the foreign key refuses it.
      if (isForeignKeyViolation(error)) {
        throw new ConflictException(`identity provider '${scheme}' still has SCIM tokens; delete them first`);
      }
      throw error;
    }
  }

  private response(provider: IdentityProviderRow): AzureAdProviderResponseDto {
    return AzureAdProviderResponseDto.map(provider, this.connector.of(provider));
  }

  private async find(tenantId: string, scheme: string): Promise<IdentityProviderRow> {
    const provider = await this.providers.findByScheme(this.dataSource, tenantId, scheme);
    if (!provider) throw new NotFoundException(`identity provider '${scheme}' does not exist`);
    return provider;
  }

  /**
   * The provider with the given settings written over `current` (a client secret sealed bound to
   * its row), once the rules that span several fields hold.
   */
  private apply(
    current: Pick<IdentityProviderWrite, 'id' | 'tenantId' | 'scheme' | 'kind' | 'hasClientSecret'> &
      Partial<IdentityProviderWrite>,
    settings: Settings,
  ): IdentityProviderWrite {
    const { clientSecret, ...plain } = settings;
    // Create and PUT bring every required setting with them (the DTOs say so); PATCH starts from a whole row.
    const provider = { ...current, ...plain } as IdentityProviderWrite;
    if (clientSecret !== undefined) {
      provider.clientSecretCiphertext = this.cipher.encrypt(
        clientSecret,
        SEALED_COLUMNS.identityProviderClientSecret,
        provider.id,
      );
      provider.hasClientSecret = true;
    }
    if (!provider.usePkce && !provider.hasClientSecret) {
      throw new FieldValidationException([
        { field: 'properties.clientSecret', message: 'clientSecret is required when usePkce is false' },
      ]);
    }
    // /common and /organizations take tokens of every organization's Entra: which ones may sign in
    // must be said, or any Entra user anywhere could (and with auto-provisioning, become a subject).
    if (
      multiTenantIssuerTemplate(provider.authority) !== undefined &&
      !provider.allowedEntraTenantIds?.length
    ) {
      throw new FieldValidationException([
        {
          field: 'properties.allowedEntraTenantIds',
          message:
            'a multi-tenant authority (/common or /organizations) needs allowedEntraTenantIds: the Entra tenant ids whose users may sign in',
        },
      ]);
    }
    // The authority's shape was checked with the body (provider-urls.ts); whether IAM may connect
    // there is the outbound policy's call — which also keeps http (loopback only) out of production.
    assertOutboundUrl(this.outbound, 'properties.authority', provider.authority);
    return provider;
  }
}

function flatten(dto: AzureAdProviderPatchDto & { scheme?: string }): Settings {
  const { properties, scheme: _scheme, ...top } = dto;
  return { ...top, ...properties };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function linkedTokensConflict(scheme: string, tokens: ScimTokenRow[]): ConflictException {
  const names = tokens.map((t) => `${t.id} (${t.providerDisplayName}, …${t.tokenHint})`).join(', ');
  return new ConflictException({
    statusCode: 409,
    error: 'Conflict',
    message: `identity provider '${scheme}' still has SCIM tokens: ${names}; delete them first`,
    scimTokens: tokens.map((t) => ({ id: t.id, providerDisplayName: t.providerDisplayName })),
  });
}
