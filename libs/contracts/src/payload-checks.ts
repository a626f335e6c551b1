/** Small shape checks for queue payloads (no dependencies: both services and tests use them). */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** A string PostgreSQL can store: NUL is refused by text and jsonb alike (and would fail the outcome's record too). */
const isStorable = (value: unknown): value is string =>
  typeof value === 'string' && !value.includes('\u0000');

/** A JSON object: not null, not an array. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Collects what is wrong with one payload, naming each field. */
export class PayloadProblems {
  readonly list: string[] = [];

  constructor(private readonly data: Record<string, unknown>) {}

  add(problem: string): void {
    this.list.push(problem);
  }

  uuid(field: string): void {
    if (!isUuid(this.data[field])) this.add(`${field} must be a UUID`);
  }

  text(field: string, maxLength: number): void {
    const value = this.data[field];
    if (!isStorable(value) || value === '' || value.length > maxLength) {
      this.add(`${field} must be a string of 1 to ${maxLength} characters`);
    }
  }

  object(field: string): void {
    if (!isPlainObject(this.data[field])) this.add(`${field} must be an object`);
  }

  strings(field: string, maxLength: number): void {
    const value = this.data[field];
    if (!Array.isArray(value) || !value.every((v) => isStorable(v) && v.length <= maxLength)) {
      this.add(`${field} must be an array of strings`);
    }
  }

  /** PATCH operations: a non-empty array of { op, path?, value? } with a known op and a string path. */
  operations(field: string, ops: ReadonlySet<string>): void {
    const value = this.data[field];
    const valid =
      Array.isArray(value) &&
      value.length > 0 &&
      value.every(
        (o) =>
          isPlainObject(o) &&
          typeof o.op === 'string' &&
          ops.has(o.op) &&
          (o.path === undefined || typeof o.path === 'string'),
      );
    if (!valid) {
      this.add(`${field} must be a non-empty array of { op: ${[...ops].join('|')}, path?: string, value? }`);
    }
  }

  optionalVersion(field: string): void {
    const value = this.data[field];
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) {
      this.add(`${field} must be a non-negative integer when present`);
    }
  }
}
