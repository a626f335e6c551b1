import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
  registerDecorator,
} from 'class-validator';
import { NotNullIfPresent } from '../errors/validation';
import { IdentityProviderRow } from './identity-providers.repository';
import { authorityProblem, ENTRA_TENANT_ID, isRedirectUri, normalizeAuthority } from './provider-urls';

/** The authority's rules (provider-urls.ts), with the reason they give as the field's message. */
function IsEntraAuthority(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isEntraAuthority',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: ({ value }) => authorityProblem(value) ?? '' },
      validator: { validate: (value) => authorityProblem(value) === undefined },
    });
}

function IsRedirectUri(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isRedirectUri',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        each: true,
        message: 'each redirect URI must be https, http on a loopback host, or an app scheme (no fragment)',
      },
      validator: { validate: isRedirectUri },
    });
}

const SCOPE_TOKEN = '[\\x21\\x23-\\x5B\\x5D-\\x7E]+';

export class AzureAdPropertiesDto {
  @ApiPropertyOptional({ default: true, description: 'Users may sign in through this provider' })
  @NotNullIfPresent()
  @IsBoolean()
  loginEnabled?: boolean;

  @ApiPropertyOptional({ default: true, description: 'Shown on the login page' })
  @NotNullIfPresent()
  @IsBoolean()
  visible?: boolean;

  @ApiPropertyOptional({ default: false })
  @NotNullIfPresent()
  @IsBoolean()
  delegationEnabled?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Create unknown users just in time at login' })
  @NotNullIfPresent()
  @IsBoolean()
  autoProvisioningEnabled?: boolean;

  @ApiProperty({
    example: 'my-client-id',
    description: 'Application (client) ID of the Entra app registration',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  clientId: string;

  @ApiPropertyOptional({
    example: 'my-client-secret',
    writeOnly: true,
    description: 'Stored encrypted; never returned. Required unless usePkce (a public client).',
  })
  @NotNullIfPresent()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  clientSecret?: string;

  @ApiPropertyOptional({ default: true })
  @NotNullIfPresent()
  @IsBoolean()
  usePkce?: boolean;

  @ApiProperty({
    example: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
    description:
      'Entra ID v2.0 authority: https://login.microsoftonline.com/{tenant id or domain}/v2.0 (tokens must come from that tenant), ' +
      'or the multi-tenant …/common/v2.0 or …/organizations/v2.0 (each token must carry the issuer of its own tid; ' +
      "name the Entra tenants you accept in allowedEntraTenantIds). The setup guide's form " +
      'https://login.microsoftonline.com/{tenant} is accepted and saved as …/{tenant}/v2.0. Not /consumers, not sts.windows.net.',
  })
  @Transform(({ value }: { value: unknown }) => normalizeAuthority(value))
  @IsEntraAuthority()
  @MaxLength(500)
  authority: string;

  @ApiPropertyOptional({ default: 'code', enum: ['code', 'id_token', 'code id_token'] })
  @NotNullIfPresent()
  @IsIn(['code', 'id_token', 'code id_token'])
  responseType?: string;

  @ApiPropertyOptional({ default: 'openid profile email' })
  @NotNullIfPresent()
  @IsString()
  @MaxLength(1000)
  @Matches(new RegExp(`^${SCOPE_TOKEN}( ${SCOPE_TOKEN})*$`), {
    message: 'scope must be space-separated scopes',
  })
  @Matches(/(^| )openid( |$)/, { message: 'scope must include openid' })
  scope?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['https://app.contoso.com/auth/callback', 'msauth.com.contoso.app://auth'],
    description: 'Redirect URIs registered for the app in Entra ID; sign-in accepts only these',
  })
  @NotNullIfPresent()
  @IsArray()
  @ArrayMaxSize(20)
  @IsRedirectUri()
  redirectUris?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['11111111-2222-3333-4444-555555555555'],
    description:
      'Entra tenant ids (tid) whose users may sign in; empty or absent = any tenant the authority admits. ' +
      'Meant for the multi-tenant authorities: tokens from other Entra tenants are refused (401), and no subject is created.',
  })
  @NotNullIfPresent()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(ENTRA_TENANT_ID, {
    each: true,
    message: 'each allowedEntraTenantIds entry must be an Entra tenant id (a GUID)',
  })
  @Transform(({ value }: { value: unknown }) =>
    Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.toLowerCase() : v)) : value,
  )
  allowedEntraTenantIds?: string[];
}

export class AzureAdProviderCreateDto {
  @ApiProperty({
    example: 'contoso-entra',
    description: 'Unique per tenant; lowercase letters, digits, dashes',
  })
  @IsString()
  @Matches(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
    message: 'scheme must be a lowercase slug (a-z, 0-9, dashes; at most 63 characters)',
  })
  scheme: string;

  @ApiProperty({ example: 'Contoso Entra ID' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  displayName: string;

  @ApiPropertyOptional({ default: true })
  @NotNullIfPresent()
  @IsBoolean()
  enabled?: boolean;

  @ApiProperty({ enum: ['oidc'] })
  @IsIn(['oidc'])
  type: 'oidc';

  @ApiProperty({ type: AzureAdPropertiesDto })
  @IsObject()
  @ValidateNested()
  @Type(() => AzureAdPropertiesDto)
  properties: AzureAdPropertiesDto;
}

/** PUT: the whole provider again; the scheme cannot change, an omitted clientSecret keeps the stored one. */
export class AzureAdProviderReplaceDto extends OmitType(AzureAdProviderCreateDto, ['scheme', 'properties']) {
  @ApiPropertyOptional({ description: 'If given, must equal the scheme in the path' })
  @NotNullIfPresent()
  @IsString()
  scheme?: string;

  @ApiProperty({ type: AzureAdPropertiesDto })
  @IsObject()
  @ValidateNested()
  @Type(() => AzureAdPropertiesDto)
  properties: AzureAdPropertiesDto;
}

export class AzureAdPropertiesPatchDto extends PartialType(AzureAdPropertiesDto, {
  skipNullProperties: false,
}) {}

/** PATCH: only the fields given change. */
export class AzureAdProviderPatchDto extends PartialType(
  OmitType(AzureAdProviderCreateDto, ['scheme', 'properties']),
  { skipNullProperties: false },
) {
  @ApiPropertyOptional({ type: AzureAdPropertiesPatchDto })
  @NotNullIfPresent()
  @IsObject()
  @ValidateNested()
  @Type(() => AzureAdPropertiesPatchDto)
  properties?: AzureAdPropertiesPatchDto;
}

export class AzureAdPropertiesResponseDto {
  @ApiProperty() loginEnabled: boolean;
  @ApiProperty() visible: boolean;
  @ApiProperty() delegationEnabled: boolean;
  @ApiProperty() autoProvisioningEnabled: boolean;
  @ApiProperty() clientId: string;
  @ApiProperty({ description: 'Whether a client secret is stored (its value is never returned)' })
  hasClientSecret: boolean;
  @ApiProperty() usePkce: boolean;
  @ApiProperty() authority: string;
  @ApiProperty() responseType: string;
  @ApiProperty() scope: string;
  @ApiProperty({ type: [String] }) redirectUris: string[];
  @ApiProperty({ type: [String] }) allowedEntraTenantIds: string[];
}

export class ConnectorRedirectUrisDto {
  @ApiProperty({
    example: 'https://iam.example.com/v1/login/6f1c…/contoso-entra/callback',
    description:
      "Entra's Web platform redirect URI: IAM's own callback (IAM_PUBLIC_URL). Sign-in accepts it once it is also in properties.redirectUris",
  })
  web: string;

  @ApiProperty({
    type: [String],
    example: ['msauth.com.contoso.app://auth'],
    description:
      "Entra's Mobile and desktop applications platform: the provider's other registered redirect URIs (apps that redeem their code at …/token with PKCE)",
  })
  mobileAndDesktop: string[];
}

/** What a customer copies into Entra (seed 004: "Make note of the SCIM URL … and OpenID Connect Login Redirect URI values"). */
export class ConnectorDetailsDto {
  @ApiProperty({
    example: 'https://scim.example.com/6f1c…/api/scim/v2',
    description:
      "Entra provisioning's Tenant URL (SCIM_PUBLIC_URL); the Secret Token comes from POST /v1/scim",
  })
  scimBaseUrl: string;

  @ApiProperty({ type: ConnectorRedirectUrisDto }) redirectUris: ConnectorRedirectUrisDto;
}

export class AzureAdProviderResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() scheme: string;
  @ApiProperty() displayName: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ enum: ['oidc'] }) type: string;
  @ApiProperty({ type: AzureAdPropertiesResponseDto }) properties: AzureAdPropertiesResponseDto;
  @ApiProperty({ type: ConnectorDetailsDto }) connector: ConnectorDetailsDto;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static map(p: IdentityProviderRow, connector: ConnectorDetailsDto): AzureAdProviderResponseDto {
    return {
      id: p.id,
      scheme: p.scheme,
      displayName: p.displayName,
      enabled: p.enabled,
      type: p.type,
      properties: {
        loginEnabled: p.loginEnabled,
        visible: p.visible,
        delegationEnabled: p.delegationEnabled,
        autoProvisioningEnabled: p.autoProvisioningEnabled,
        clientId: p.clientId,
        hasClientSecret: p.hasClientSecret,
        usePkce: p.usePkce,
        authority: p.authority,
        responseType: p.responseType,
        scope: p.scope,
        redirectUris: p.redirectUris,
        allowedEntraTenantIds: p.allowedEntraTenantIds,
      },
      connector,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }
}
