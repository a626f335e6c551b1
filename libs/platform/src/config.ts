import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';

/** Thrown at start-up when the environment is wrong; the message names every bad variable. */
export class ConfigurationError extends Error {}

/**
 * Validates an environment against a class-validator class and returns the typed, converted
 * instance. Fails fast with one line per bad or missing variable.
 */
export function validateEnvironment<T extends object>(
  cls: new () => T,
  env: Record<string, string | undefined>,
): T {
  const config = plainToInstance(cls, env, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false, skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map(describe).join('\n  ');
    throw new ConfigurationError(`Invalid configuration:\n  ${lines}`);
  }
  return config;
}

function describe(error: ValidationError): string {
  const problems = Object.values(error.constraints ?? {}).join('; ');
  return `${error.property}: ${problems}`;
}

/** `true`/`false` (any case) from an environment string; class-transformer's own conversion reads "false" as true. */
export function parseBoolean(value: unknown, fallback: boolean): boolean | unknown {
  if (value === undefined || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return value;
}
