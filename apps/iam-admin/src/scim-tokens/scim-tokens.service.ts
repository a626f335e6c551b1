import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { digestBearerSecret, generateBearerSecret, SECRET_PREFIX } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { DAY_MS } from '../durations';
import { FieldValidationException } from '../errors/validation';
import { ScimAccessAnnouncer } from './scim-access-announcer';
import { ScimTokenCreateDto, ScimTokenCreateResponseDto, ScimTokenResponseDto } from './scim-token.dto';
import { ScimTokensRepository } from './scim-tokens.repository';

@Injectable()
export class ScimTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: ScimTokensRepository,
    private readonly config: IamAdminConfig,
    private readonly announcer: ScimAccessAnnouncer,
  ) {}

  /** Creates a token linked to the tenant's provider; the returned value is never shown again. */
  async create(tenantId: string, dto: ScimTokenCreateDto): Promise<ScimTokenCreateResponseDto> {
    const token = generateBearerSecret(SECRET_PREFIX.scimToken);
    const days = dto.expiresInDays ?? this.config.SCIM_TOKEN_DEFAULT_TTL_DAYS;
    const saved = await this.tokens.insertForProvider(this.dataSource, {
      tenantId,
      providerScheme: dto.provider,
      providerDisplayName: dto.providerDisplayName,
      tokenHash: digestBearerSecret(token),
      tokenHint: token.slice(-4),
      expiresAt: new Date(Date.now() + days * DAY_MS),
    });
    if (!saved) {
      throw new FieldValidationException([
        {
          field: 'provider',
          message: `provider '${dto.provider}' is not an SSO identity provider of this tenant`,
        },
      ]);
    }
    return { ...ScimTokenResponseDto.map(saved), token };
  }

  async list(tenantId: string): Promise<ScimTokenResponseDto[]> {
    return (await this.tokens.list(this.dataSource, tenantId)).map(ScimTokenResponseDto.map);
  }

  /** Revokes at once: the row goes, and gateways drop any copy they cached. */
  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.tokens.delete(this.dataSource, tenantId, id))) {
      throw new NotFoundException(`SCIM token ${id} does not exist`);
    }
    await this.announcer.scimTokenRevoked(id);
  }
}
