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

export interface LoggingSettings {
  level: string;
  /** Where log lines go; tests pass a capturing stream. Defaults to stdout. */
  destination?: DestinationStream;
}

export function loggingModule(settings: LoggingSettings): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: [
      {
        level: settings.level,
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        // Health probes are noise at info level.
        autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
        serializers: {
          req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown> }) => ({
            id: req.id,
            method: req.method,
            url: withoutLoginSecrets(req.url),
            headers: { 'user-agent': req.headers['user-agent'], authorization: req.headers.authorization },
          }),
        },
      },
      settings.destination ?? process.stdout,
    ],
  });
}

/** Sign-in callbacks carry an authorization code and state in the query: log the path only. */
export function withoutLoginSecrets(url: string): string {
  return url.includes('/v1/login/') ? url.split('?')[0]! : url;
}
