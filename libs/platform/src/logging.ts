import { LoggerModule } from 'nestjs-pino';
import type { DynamicModule } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { correlationIdFor, logContext } from './tracing/correlation';
import { isHealthProbe, REDACTED, urlForLog, withoutLoginSecrets } from './url-redaction';

export { isHealthProbe, urlForLog, withoutLoginSecrets } from './url-redaction';

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
        // Every line of a request carries its correlation id (also answered as X-Request-Id)…
        customProps: (req, res) => ({ correlationId: correlationIdFor(req, res) }),
        // …and lines written outside a request (a queued command being applied) the one it brought.
        mixin: logContext,
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
