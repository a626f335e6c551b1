import { invalidFilter } from './errors';
import { assertSafePath } from './property-names';
import { CompareValue, Filter } from './filter';
import { AttributeDefinition, resolveAttribute, ResourceTypeDefinition } from './schemas';

/**
 * Where a resource type's attributes live in SQL: a few indexed columns, the rest in one jsonb
 * document. Keys of `columns` are canonical attribute paths (`userName`, `meta.created`).
 */
export interface SqlMapping {
  resourceType: ResourceTypeDefinition;
  columns: Record<string, { sql: string; type: 'text' | 'uuid' | 'boolean' | 'timestamptz' }>;
  /** SQL expression of the jsonb document holding every other attribute. */
  document: string;
  /** Multi-valued attributes kept as rows of another table, e.g. a group's `members`. */
  relations?: Record<
    string,
    { from: string; where: string; columns: Record<string, { sql: string; type: 'text' | 'uuid' }> }
  >;
}

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** Builds SQL with numbered placeholders continuing after the caller's own parameters. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class SqlBuilder {
  readonly params: unknown[] = [];
  constructor(private readonly offset: number) {}

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.offset + this.params.length}`;
  }
}

interface Operand {
  sql: string;
  type: AttributeDefinition['type'] | 'uuid';
  caseExact: boolean;
}

/**
 * Translates a parsed filter into a parameterised SQL condition. Never filters in memory; values
 * only ever travel as parameters. `paramOffset` is the number of parameters already in the query.
 */
export function filterToSql(filter: Filter, mapping: SqlMapping, paramOffset = 0): SqlFragment {
  const builder = new SqlBuilder(paramOffset);
  const sql = translate(filter, mapping, builder, undefined);
  return { sql, params: builder.params };
}

/** A sortable SQL expression for `sortBy` (single-valued attributes; multi-valued sort by their primary value). */
export function sortExpression(attrPath: string, mapping: SqlMapping): string {
  assertSafePath(attrPath);
  const resolved = resolveAttribute(mapping.resourceType, attrPath);
  if (!resolved) throw invalidFilter(`cannot sort by unknown attribute '${attrPath}'`);
  const operand = attributeOperand(resolved, mapping, attrPath);
  if ('elements' in operand) {
    if (mapping.relations?.[resolved.definition.name]) throw invalidFilter(`cannot sort by '${attrPath}'`);
    const sub = operand.sub ?? 'value';
    return `(SELECT el->>'${sub}' FROM ${operand.elements.from} ORDER BY (el->>'primary')::boolean IS TRUE DESC LIMIT 1)`;
  }
  return operand.caseExact || operand.type !== 'string' ? operand.sql : `lower(${operand.sql})`;
}

/**
 * The elements of a multi-valued attribute as SQL rows: jsonb array elements (`el`), or rows of a
 * relation table (a group's members live in group_members, not in the document).
 */
interface Elements {
  definition: AttributeDefinition;
  /** FROM clause yielding one row per element. */
  from: string;
  /** Correlates those rows with the outer resource row. */
  where: string;
  operand(sub: AttributeDefinition): Operand;
}

const exists = (elements: Elements, condition: string) =>
  `EXISTS (SELECT 1 FROM ${elements.from} WHERE ${elements.where} AND ${condition})`;

function translate(
  filter: Filter,
  mapping: SqlMapping,
  b: SqlBuilder,
  elements: Elements | undefined,
): string {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return `(${translate(filter.left, mapping, b, elements)} ${filter.kind.toUpperCase()} ${translate(filter.right, mapping, b, elements)})`;
    case 'not':
      return `(NOT COALESCE(${translate(filter.filter, mapping, b, elements)}, false))`;
    case 'valuePath': {
      if (elements) throw invalidFilter('value filters cannot be nested');
      const resolved = resolveAttribute(mapping.resourceType, filter.attrPath);
      if (
        !resolved ||
        resolved.sub ||
        !resolved.definition.multiValued ||
        !resolved.definition.subAttributes
      ) {
        throw invalidFilter(`'${filter.attrPath}' is not a multi-valued complex attribute`);
      }
      const inner = elementsOf(mapping, resolved.urn, resolved.definition);
      return exists(inner, translate(filter.filter, mapping, b, inner));
    }
    case 'present':
    case 'compare': {
      if (elements)
        return compare(filter, elements.operand(subAttribute(elements.definition, filter.attrPath)), b);
      const resolved = resolveAttribute(mapping.resourceType, filter.attrPath);
      if (!resolved) throw invalidFilter(`unknown attribute '${filter.attrPath}'`);
      const operand = attributeOperand(resolved, mapping, filter.attrPath, b);
      if ('elements' in operand) {
        // `emails.value eq "x"`, `emails eq "x"`, `members pr`: some element matches.
        if (filter.kind === 'present' && !operand.sub) return exists(operand.elements, 'true');
        const sub = subAttribute(operand.elements.definition, operand.sub ?? 'value');
        return exists(operand.elements, compare(filter, operand.elements.operand(sub), b));
      }
      return compare(filter, operand, b);
    }
  }
}

function subAttribute(definition: AttributeDefinition, name: string): AttributeDefinition {
  // A multi-valued simple attribute (folders): its elements are the values themselves.
  if (!definition.subAttributes && name.toLowerCase() === 'value')
    return { ...definition, name: 'value', multiValued: false };
  const sub = (definition.subAttributes ?? []).find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (!sub) throw invalidFilter(`'${definition.name}' has no sub-attribute '${name}'`);
  return sub;
}

type Resolved = NonNullable<ReturnType<typeof resolveAttribute>>;
type MultiOperand = { elements: Elements; sub?: string };

function attributeOperand(
  resolved: Resolved,
  mapping: SqlMapping,
  attrPath: string,
  b?: SqlBuilder,
): Operand | MultiOperand {
  const { urn, definition, sub } = resolved;
  if (resolved.open) {
    // A Metadata key: the client chose its name and spelling, so it is matched ignoring case, as a parameter.
    if (!b) throw invalidFilter(`cannot sort by '${attrPath}'`);
    const object = `${mapping.document}->'${urn}'`;
    return {
      sql: `(SELECT m.value FROM jsonb_each_text(CASE WHEN jsonb_typeof(${object}) = 'object' THEN ${object} ELSE '{}'::jsonb END) m WHERE lower(m.key) = lower(${b.param(definition.name)}) LIMIT 1)`,
      type: definition.type,
      caseExact: definition.caseExact,
    };
  }
  const canonical = [definition.name, sub?.name].filter(Boolean).join('.');
  const column = urn ? undefined : mapping.columns[canonical];
  if (column) {
    const target = sub ?? definition;
    return {
      sql: column.sql,
      type: column.type === 'uuid' ? 'uuid' : target.type,
      caseExact: target.caseExact,
    };
  }
  if (definition.multiValued) return { elements: elementsOf(mapping, urn, definition), sub: sub?.name };
  if (definition.type === 'complex' && !sub)
    throw invalidFilter(`'${attrPath}' is complex: name a sub-attribute`);
  const keys = [urn, definition.name, sub?.name].filter((k): k is string => k !== undefined);
  const target = sub ?? definition;
  return {
    sql: `(${mapping.document} #>> '{${keys.map(quoteKey).join(',')}}')`,
    type: target.type,
    caseExact: target.caseExact,
  };
}

function elementsOf(mapping: SqlMapping, urn: string | undefined, definition: AttributeDefinition): Elements {
  const relation = urn ? undefined : mapping.relations?.[definition.name];
  if (relation) {
    return {
      definition,
      from: relation.from,
      where: relation.where,
      operand: (sub) => {
        const column = relation.columns[sub.name];
        if (!column) throw invalidFilter(`cannot filter ${definition.name} on '${sub.name}'`);
        return {
          sql: column.sql,
          type: column.type === 'uuid' ? 'uuid' : sub.type,
          caseExact: sub.caseExact,
        };
      },
    };
  }
  return {
    definition,
    from: `jsonb_array_elements(${jsonArray(mapping, urn, definition.name)}) el`,
    where: 'true',
    operand: (sub) => ({
      sql: definition.subAttributes ? `el->>'${sub.name}'` : `(el #>> '{}')`,
      type: sub.type,
      caseExact: sub.caseExact,
    }),
  };
}

function jsonArray(mapping: SqlMapping, urn: string | undefined, name: string): string {
  const path = urn ? `${mapping.document}->'${urn}'->'${name}'` : `${mapping.document}->'${name}'`;
  return `(CASE WHEN jsonb_typeof(${path}) = 'array' THEN ${path} ELSE '[]'::jsonb END)`;
}

/** jsonb path keys are quoted when they hold characters Postgres would split on. */
function quoteKey(key: string): string {
  return /^[\w$]+$/.test(key) ? key : `"${key.replace(/"/g, '\\"')}"`;
}

function compare(
  filter: Extract<Filter, { kind: 'compare' | 'present' }>,
  operand: Operand,
  b: SqlBuilder,
): string {
  const { sql } = operand;
  if (filter.kind === 'present') {
    return operand.type === 'string' ? `(${sql} IS NOT NULL AND ${sql} <> '')` : `(${sql} IS NOT NULL)`;
  }
  const { op, value } = filter;
  if (value === null) {
    if (op === 'eq') return `(${sql} IS NULL)`;
    if (op === 'ne') return `(${sql} IS NOT NULL)`;
    throw invalidFilter(`'${op}' cannot compare with null`);
  }
  switch (operand.type) {
    case 'boolean': {
      if (typeof value !== 'boolean')
        throw invalidFilter(`'${filter.attrPath}' is boolean: compare with true or false`);
      if (op !== 'eq' && op !== 'ne')
        throw invalidFilter(`'${op}' does not apply to boolean '${filter.attrPath}'`);
      const cast = sql.includes('->>') || sql.includes('#>>') ? `(${sql})::boolean` : sql;
      return op === 'eq' ? `(${cast} = ${b.param(value)})` : `(${cast} IS DISTINCT FROM ${b.param(value)})`;
    }
    case 'dateTime': {
      if (typeof value !== 'string' || !isRfc3339(value)) {
        throw invalidFilter(`'${filter.attrPath}' is a dateTime: compare with an RFC 3339 string`);
      }
      return ordered(op, `(${sql})::timestamptz`, `${b.param(value)}::timestamptz`, filter.attrPath);
    }
    case 'integer':
    case 'decimal': {
      if (typeof value !== 'number') throw invalidFilter(`'${filter.attrPath}' is a number`);
      return ordered(op, `(${sql})::numeric`, `${b.param(value)}::numeric`, filter.attrPath);
    }
    case 'uuid': {
      // Equality stays on the uuid column (the index); an id that is not a UUID matches nothing.
      if (op === 'eq') return UUID.test(String(value)) ? `(${sql} = ${b.param(value)}::uuid)` : 'false';
      return ordered(op, `${sql}::text`, b.param(String(value)), filter.attrPath, true);
    }
    default:
      return compareText(op, sql, String(value), operand.caseExact, b);
  }
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?$/;

/** A date PostgreSQL's timestamptz accepts as the client meant it (Date.parse takes "1" for 2001). */
function isRfc3339(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => Number(v ?? 0));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return (
    year! >= 1 &&
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 60
  );
}

function ordered(op: string, left: string, right: string, attrPath: string, text = false): string {
  const symbol = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' }[op];
  if (op === 'ne') return `(${left} IS DISTINCT FROM ${right})`;
  if (symbol) return `(${left} ${symbol} ${right})`;
  if (text) return `(${left} LIKE ${likePattern(op, right)} ESCAPE '\\')`;
  throw invalidFilter(`'${op}' does not apply to '${attrPath}'`);
}

function likePattern(op: string, param: string): string {
  const escaped = `replace(replace(replace(${param}, '\\', '\\\\'), '%', '\\%'), '_', '\\_')`;
  if (op === 'co') return `'%' || ${escaped} || '%'`;
  if (op === 'sw') return `${escaped} || '%'`;
  return `'%' || ${escaped}`;
}

function compareText(op: string, sql: string, value: string, caseExact: boolean, b: SqlBuilder): string {
  const left = caseExact ? sql : `lower(${sql})`;
  const right = caseExact ? b.param(value) : `lower(${b.param(value)})`;
  if (op === 'co' || op === 'sw' || op === 'ew')
    return `(${left} LIKE ${likePattern(op, right)} ESCAPE '\\')`;
  return ordered(op, left, right, sql);
}

export type { CompareValue };
