import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ScimTokenEntity } from '@app/database';
import { digestBearerSecret, generateBearerSecret, SECRET_PREFIX } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { DAY_MS } from '../durations';
import { FieldValidationException } from '../errors/validation';
import { IdentityProvidersService } from '../identity-providers/identity-providers.service';
import { ScimAccessAnnouncer } from './scim-access-announcer';
import { ScimTokenCreateDto, ScimTokenCreateResponseDto, ScimTokenResponseDto } from './scim-token.dto';

@Injectable()
export class ScimTokensService {
  constructor(
    @InjectRepository(ScimTokenEntity) private readonly tokens: Repository<ScimTokenEntity>,
    private readonly providers: IdentityProvidersService,
    private readonly config: IamAdminConfig,
    private readonly announcer: ScimAccessAnnouncer,
  ) {}

  /** Creates a token linked to the tenant's provider; the returned value is never shown again. */
  async create(tenantId: string, dto: ScimTokenCreateDto): Promise<ScimTokenCreateResponseDto> {
    const provider = await this.providers.findByScheme(tenantId, dto.provider);
    if (!provider) {
      throw new FieldValidationException([
        {
          field: 'provider',
          message: `provider '${dto.provider}' is not an SSO identity provider of this tenant`,
        },
      ]);
    }
    const token = generateBearerSecret(SECRET_PREFIX.scimToken);
    const days = dto.expiresInDays ?? this.config.SCIM_TOKEN_DEFAULT_TTL_DAYS;
    const saved = await this.tokens.save(
      this.tokens.create({
        tenantId,
        identityProviderId: provider.id,
        provider: provider.scheme,
        providerDisplayName: dto.providerDisplayName,
        tokenHash: digestBearerSecret(token),
        tokenHint: token.slice(-4),
        expiresAt: new Date(Date.now() + days * DAY_MS),
        lastUsedAt: null,
      }),
    );
    return { ...ScimTokenResponseDto.map(saved), token };
  }

  async list(tenantId: string): Promise<ScimTokenResponseDto[]> {
    const found = await this.tokens.find({ where: { tenantId }, order: { createdAt: 'ASC' } });
    return found.map(ScimTokenResponseDto.map);
  }

  /** Revokes at once: the row goes, and gateways drop any copy they cached. */
  async delete(tenantId: string, id: string): Promise<void> {
    const result = await this.tokens.delete({ tenantId, id });
    if (!result.affected) throw new NotFoundException(`SCIM token ${id} does not exist`);
    await this.announcer.scimTokenRevoked(id);
  }
}
