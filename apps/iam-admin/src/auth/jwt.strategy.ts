import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, SecretOrKeyProvider, Strategy } from 'passport-jwt';
import { IamAdminConfig } from '../config/iam-admin.config';
import { adminPrincipal, AdminPrincipal } from './admin-principal';

type Claims = Record<string, unknown> & { sub?: string };

/**
 * Access tokens (JWTs) from the configured issuer. Keys come from the issuer's JWKS, found through
 * its OpenID discovery document unless IAM_JWT_JWKS_URI names it. Without IAM_JWT_ISSUER every
 * JWT is refused.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(private readonly config: IamAdminConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: lazyJwksProvider(config),
      issuer: config.IAM_JWT_ISSUER,
      audience: config.IAM_JWT_AUDIENCE,
      algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'PS256'],
    });
  }

  validate(claims: Claims): AdminPrincipal {
    const permissions = readPermissions(claims[this.config.IAM_JWT_PERMISSIONS_CLAIM]);
    const tenant = claims[this.config.IAM_JWT_TENANT_CLAIM];
    const tenantId = typeof tenant === 'string' && tenant.length > 0 ? tenant : null;
    // A JWT's exp is a session length, not a grant: it does not cap the tokens its holder creates
    // (AdminTokensService gives those a lifetime of their own instead).
    return adminPrincipal({
      tenantId,
      permissions,
      subject: `jwt:${claims.sub ?? 'unknown'}`,
      via: 'jwt',
      expiresAt: null,
    });
  }
}

/** A permissions claim may be a JSON array or an OAuth-style space-separated string. */
function readPermissions(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  return [];
}

function lazyJwksProvider(config: IamAdminConfig): SecretOrKeyProvider {
  let provider: Promise<SecretOrKeyProvider> | undefined;
  return (request, rawJwt, done) => {
    if (!config.IAM_JWT_ISSUER) return done(new Error('JWT access tokens are not configured'));
    provider ??= resolveJwksUri(config).then((jwksUri) =>
      passportJwtSecret({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 }),
    );
    provider.then(
      (p) => p(request, rawJwt, done),
      (error: Error) => {
        provider = undefined; // try discovery again on the next request
        done(error);
      },
    );
  };
}

async function resolveJwksUri(config: IamAdminConfig): Promise<string> {
  if (config.IAM_JWT_JWKS_URI) return config.IAM_JWT_JWKS_URI;
  const issuer = config.IAM_JWT_ISSUER!.replace(/\/$/, '');
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`OpenID discovery at ${issuer} answered ${response.status}`);
  const discovery = (await response.json()) as { jwks_uri?: string };
  if (!discovery.jwks_uri) throw new Error(`OpenID discovery at ${issuer} has no jwks_uri`);
  return discovery.jwks_uri;
}
