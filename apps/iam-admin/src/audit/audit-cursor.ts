import { FieldValidationException } from '../errors/validation';
import type { AuditPosition } from './provisioning-audit.repository';

/**
 * The opaque `cursor` of the audit list: the (occurredAt, id) of the last entry of a page. Keyset
 * paging, so entries written while an operator pages never shift or repeat what the next page shows.
 */
export function encodeCursor(position: AuditPosition): string {
  return Buffer.from(JSON.stringify([position.occurredAt.toISOString(), position.id])).toString('base64url');
}

/** A cursor this API gave out, back as a position; anything else is a 400 naming the field. */
export function decodeCursor(cursor: string): AuditPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (Array.isArray(decoded) && decoded.length === 2) {
    const [at, id] = decoded as unknown[];
    const occurredAt = typeof at === 'string' ? new Date(at) : undefined;
    // The id is a bigint identity: digits, within PostgreSQL's bigint.
    const validId = typeof id === 'string' && /^[0-9]{1,18}$/.test(id);
    if (occurredAt && !Number.isNaN(occurredAt.getTime()) && occurredAt.toISOString() === at && validId)
      return { occurredAt, id };
  }
  throw new FieldValidationException([
    { field: 'cursor', message: 'is not a cursor this list gave out (use nextCursor as it was returned)' },
  ]);
}
