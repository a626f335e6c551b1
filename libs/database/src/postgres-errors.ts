import { QueryFailedError } from 'typeorm';

interface DriverError {
  code?: string;
  constraint?: string;
}

function driverError(error: unknown): DriverError | undefined {
  return error instanceof QueryFailedError ? (error.driverError as DriverError) : undefined;
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
