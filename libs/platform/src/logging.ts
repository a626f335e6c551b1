import { LoggerModule } from 'nestjs-pino';
import type { DynamicModule } from '@nestjs/common';
import type { DestinationStream } from 'pino';

/** Paths that may carry a secret; pino replaces their values before a line is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.clientSecret',
  '*.token',
  '*.password',
  'properties.clientSecret',
];

const REDACTED = '[redacted]';

export interface LoggingSettings {
  level: string;
  /** `LOG_PERSONAL_DATA`: log query values and error parameters as they are (debugging only). */
  personalData?: boolean;
  /** Where log lines go; tests pass a capturing stream. Defaults to stdout. */
  destination?: DestinationStream;
}

export function loggingModule(settings: LoggingSettings): DynamicModule {
  const personalData = settings.personalData ?? false;
  return LoggerModule.forRoot({
    pinoHttp: [
      {
        level: settings.level,
        redact: { paths: REDACTED_PATHS, censor: REDACTED },
        // Health probes are noise at info level.
        autoLogging: { ignore: (req) => isHealthProbe(req.url ?? '') },
        serializers: {
          req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown> }) => ({
            id: req.id,
            method: req.method,
            url: personalData ? withoutLoginSecrets(req.url) : urlForLog(req.url),
            headers: { 'user-agent': req.headers['user-agent'], authorization: req.headers.authorization },
          }),
          err: (error: unknown) => (personalData ? error : errorForLog(error)),
        },
      },
      settings.destination ?? process.stdout,
    ],
  });
}

/** `/health`, `/health/live`, `/health/ready` — not `/healthy/api/scim/v2/…`, which a tenant id could spell. */
export const isHealthProbe = (url: string): boolean => /^\/health(?:[/?]|$)/.test(url);

/** Query parameters that are credentials in flight (sign-in codes, state, PKCE verifiers, tokens): never logged. */
const SIGN_IN_SECRETS = new Set([
  'code',
  'state',
  'code_verifier',
  'id_token',
  'access_token',
  'session_state',
]);

/** The URL with sign-in secrets replaced, whatever the path (percent-encoded paths reach the same routes). */
export function withoutLoginSecrets(url: string): string {
  return redactQuery(url, (name) => SIGN_IN_SECRETS.has(name.toLowerCase()));
}

/**
 * The path with every query value replaced: SCIM filters (`userName eq "…"`), sign-in codes and
 * whatever else a client puts in a query stay out of the logs; the parameter names remain, for
 * debugging. Paths carry only ids.
 */
export function urlForLog(url: string): string {
  return redactQuery(url, () => true);
}

function redactQuery(url: string, redacted: (name: string) => boolean): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const pairs = url
    .slice(at + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const name = pair.split('=')[0]!;
      return redacted(decodeName(name)) ? `${name}=${REDACTED}` : pair;
    });
  return `${url.slice(0, at)}?${pairs.join('&')}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * An error as it may be logged without personal data: its type, code and constraint names, and a
 * message whose quoted values and e-mail addresses are replaced. Everything else an error object
 * carries is dropped — TypeORM's QueryFailedError holds the SQL `parameters` and PostgreSQL's
 * `detail` (`Key (lower(user_name))=(bjensen@contoso.com) already exists`), class-validator's
 * errors the rejected `value` and the whole `target`.
 */
export function errorForLog(error: unknown): unknown {
  if (typeof error === 'string') return redactValues(error);
  if (!error || typeof error !== 'object') return error;
  // pino-http hands over its own serialisation of the error, the original under `raw`.
  const raw = ((error as { raw?: unknown }).raw ?? error) as Record<string, unknown>;
  const driver = (raw.driverError ?? raw) as Record<string, unknown>;
  const constructorName = (raw.constructor as { name?: string } | undefined)?.name;
  const type =
    constructorName && constructorName !== 'Object' ? constructorName : String(raw.type ?? 'Error');
  const message = redactValues(String(raw.message ?? ''));
  const frames = typeof raw.stack === 'string' ? raw.stack.split('\n').filter((l) => /^\s+at /.test(l)) : [];
  return {
    type,
    message,
    ...pick(driver, ['code', 'constraint', 'table', 'column', 'routine']),
    stack: [`${type}: ${message}`, ...frames].join('\n'),
  };
}

function pick(from: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (typeof from[key] === 'string') out[key] = from[key];
  return out;
}

const MAX_LOGGED_MESSAGE = 1000;

/** Values quoted in a message (`invalid input syntax for type uuid: "bjensen"`), `=(…)` details, e-mail addresses. */
export function redactValues(text: string): string {
  // Longer messages are cut first: the patterns below are not linear on hostile input.
  const bounded = text.length > MAX_LOGGED_MESSAGE ? `${text.slice(0, MAX_LOGGED_MESSAGE)}…` : text;
  return bounded
    .replace(/"[^"]*"/g, `"${REDACTED}"`)
    .replace(/'[^']*'/g, `'${REDACTED}'`)
    .replace(/=\([^)]*\)/g, `=(${REDACTED})`)
    .replace(/[^\s"'<>()[\],;:]+@[^\s"'<>()[\],;:]+/g, REDACTED);
}
