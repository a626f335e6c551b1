import { QueryFailedError } from 'typeorm';

function sqlState(error: unknown): string | undefined {
  return error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
}

/** A unique constraint refused the write: the caller maps it to 409 naming the field. */
export const isUniqueViolation = (error: unknown): boolean => sqlState(error) === '23505';

/** A foreign key refused the write (a referenced row is missing or still referenced). */
export const isForeignKeyViolation = (error: unknown): boolean => sqlState(error) === '23503';
