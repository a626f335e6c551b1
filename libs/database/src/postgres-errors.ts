import { QueryFailedError } from 'typeorm';

interface DriverError {
  code?: string;
  constraint?: string;
  column?: string;
  message?: string;
}

/** The PostgreSQL error behind a failed query (TypeORM wraps it; a failed COMMIT comes unwrapped). */
function driverError(error: unknown): DriverError | undefined {
  if (error instanceof QueryFailedError) return error.driverError as DriverError;
  const code = (error as DriverError | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? (error as DriverError) : undefined;
}

/**
 * The unique constraint a write violated, if that is why it failed: the caller maps the ones it
 * knows to the client's error (409 naming the field); anything else stays a fault.
 */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  const driver = driverError(error);
  return driver?.code === '23505' ? driver.constraint : undefined;
}

/** A unique constraint refused the write. */
export const isUniqueViolation = (error: unknown): boolean => driverError(error)?.code === '23505';

/** A foreign key refused the write (a referenced row is missing or still referenced). */
export const isForeignKeyViolation = (error: unknown): boolean => driverError(error)?.code === '23503';

/**
 * What a database error means for whoever sent the write:
 * - `refusal`: the data cannot be stored as sent (class 22 data exceptions such as NUL in text or a
 *   bad datetime, class 23 integrity violations, class 54 program limits such as an index row too
 *   large). Retrying the same data fails the same way: answer the client, never retry.
 * - `fault`: the database or the connection failed (class 08 connection, 40 serialization failure
 *   and deadlock, 53 insufficient resources, 55P03 lock timeout, 57 operator intervention such as a
 *   shutdown or a statement timeout, 58 system error). The same data may succeed later: retry.
 * - `unknown`: not a database error, or one of no class above (a bug, most likely).
 */
export type DatabaseErrorKind =
  | { kind: 'refusal'; code: string; detail: string; names: string[] }
  | { kind: 'fault'; code: string }
  | { kind: 'unknown' };

const REFUSAL_CLASSES = new Set(['22', '23', '54']);
const FAULT_CLASSES = new Set(['08', '40', '53', '57', '58']);
const FAULT_CODES = new Set(['55P03', '55006']);

export function classifyDatabaseError(error: unknown): DatabaseErrorKind {
  const driver = driverError(error);
  const code = driver?.code;
  if (!code) return isConnectionError(error) ? { kind: 'fault', code: 'connection' } : { kind: 'unknown' };
  if (FAULT_CODES.has(code) || FAULT_CLASSES.has(code.slice(0, 2))) return { kind: 'fault', code };
  if (!REFUSAL_CLASSES.has(code.slice(0, 2))) return { kind: 'unknown' };
  // What the error names (a column, a constraint or index): the caller turns these into attribute names.
  const names = [driver.column, driver.constraint, ...(driver.message?.match(/"([^"]+)"/g) ?? [])]
    .filter((n): n is string => typeof n === 'string')
    .map((n) => n.replace(/"/g, ''));
  return { kind: 'refusal', code, detail: (driver.message ?? code).slice(0, 200), names };
}

/** Socket-level failures the pg driver raises without a SQLSTATE (server gone, connection reset). */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN)$/.test(code)
  )
    return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    message,
  );
}
