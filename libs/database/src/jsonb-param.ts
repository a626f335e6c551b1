/** A UTF-16 surrogate without its other half (a string cut in the middle of an emoji), and NUL. */
const NOT_JSONB = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/g;

/**
 * A value as a JSON text parameter PostgreSQL's jsonb accepts: lone surrogates and NUL, which jsonb
 * refuses, become U+FFFD. One such value must not fail a statement that writes a whole batch of rows.
 */
export function jsonbParam(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' ? v.replace(NOT_JSONB, '\uFFFD') : v,
  );
}
