import { invalidFilter } from './errors';
import { assertSafePath } from './property-names';

/**
 * RFC 7644 §3.4.2.2 filter parser. Hand-written because the npm parser we measured
 * (scim2-parse-filter) turns `emails[type eq "work"].value eq "x"` — the form Entra ID sends —
 * into two independent conditions, which matches the wrong users when a user has several emails.
 */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type CompareValue = string | number | boolean | null;

export type Filter =
  | { kind: 'compare'; attrPath: string; op: CompareOp; value: CompareValue }
  | { kind: 'present'; attrPath: string }
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  /** `attrPath[filter]`: some element of a multi-valued attribute matches `filter` (paths relative to it). */
  | { kind: 'valuePath'; attrPath: string; filter: Filter };

const COMPARE_OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const MAX_FILTER_LENGTH = 4096;
const MAX_DEPTH = 50;

type Token =
  | { t: 'word'; v: string; pos: number }
  | { t: 'string'; v: string; pos: number }
  | { t: 'number'; v: number; pos: number }
  | { t: '(' | ')' | '[' | ']'; pos: number }
  | { t: 'path'; v: string; pos: number }; // `.sub` after `]`

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '+') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ t: c, pos: i });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      if (j >= input.length) throw invalidFilter(`unterminated string at position ${i}`);
      let value: string;
      try {
        value = JSON.parse(input.slice(i, j + 1)) as string;
      } catch {
        throw invalidFilter(`invalid string at position ${i}`);
      }
      // PostgreSQL cannot hold NUL in text: no stored value can match it, and the query would fail.
      if (value.includes('\u0000'))
        throw invalidFilter(`the string at position ${i} contains a NUL character`);
      tokens.push({ t: 'string', v: value, pos: i });
      i = j + 1;
    } else if (c === '.' && tokens.at(-1)?.t === ']') {
      const m = /^\.([A-Za-z$][\w$-]*)/.exec(input.slice(i));
      if (!m) throw invalidFilter(`invalid sub-attribute at position ${i}`);
      tokens.push({ t: 'path', v: m[1]!, pos: i });
      i += m[0].length;
    } else if (/[-\d]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(input.slice(i));
      if (!m) throw invalidFilter(`invalid number at position ${i}`);
      tokens.push({ t: 'number', v: Number(m[0]), pos: i });
      i += m[0].length;
    } else if (/[A-Za-z$]/.test(c)) {
      const m = /^[A-Za-z$][\w$.:-]*/.exec(input.slice(i))!;
      tokens.push({ t: 'word', v: m[0], pos: i });
      i += m[0].length;
    } else {
      throw invalidFilter(`unexpected character '${c}' at position ${i}`);
    }
  }
  return tokens;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Filter {
    const filter = this.or();
    const extra = this.tokens[this.i];
    if (extra) throw invalidFilter(`unexpected ${describe(extra)} at position ${extra.pos}`);
    return filter;
  }

  private peekWord(): string | undefined {
    const t = this.tokens[this.i];
    return t?.t === 'word' ? t.v.toLowerCase() : undefined;
  }

  private or(): Filter {
    let left = this.and();
    while (this.peekWord() === 'or') {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Filter {
    let left = this.unary();
    while (this.peekWord() === 'and') {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Filter {
    if (++this.depth > MAX_DEPTH) throw invalidFilter('filter is nested too deeply');
    try {
      const t = this.tokens[this.i];
      if (!t) throw invalidFilter('filter ends where an expression was expected');
      if (t.t === 'word' && t.v.toLowerCase() === 'not' && this.tokens[this.i + 1]?.t === '(') {
        this.i++;
        return { kind: 'not', filter: this.group() };
      }
      if (t.t === '(') return this.group();
      if (t.t !== 'word') throw invalidFilter(`expected an attribute at position ${t.pos}`);
      this.i++;
      if (this.tokens[this.i]?.t === '[') return this.valuePath(t.v);
      return this.attributeExpression(t.v);
    } finally {
      this.depth--;
    }
  }

  private group(): Filter {
    this.expect('(');
    const inner = this.or();
    this.expect(')');
    return inner;
  }

  private valuePath(attrPath: string): Filter {
    assertSafePath(attrPath, invalidFilter);
    this.expect('[');
    const inner = this.or();
    this.expect(']');
    const next = this.tokens[this.i];
    if (next?.t === 'path') {
      // `emails[type eq "work"].value eq "x"`: the comparison applies to the same element.
      this.i++;
      const condition = this.attributeExpression(next.v);
      return { kind: 'valuePath', attrPath, filter: { kind: 'and', left: inner, right: condition } };
    }
    return { kind: 'valuePath', attrPath, filter: inner };
  }

  private attributeExpression(attrPath: string): Filter {
    assertSafePath(attrPath, invalidFilter);
    const opToken = this.tokens[this.i];
    const op = this.peekWord();
    if (!opToken || !op) throw invalidFilter(`expected an operator after '${attrPath}'`);
    this.i++;
    if (op === 'pr') return { kind: 'present', attrPath };
    if (!COMPARE_OPS.has(op)) throw invalidFilter(`unknown operator '${op}' at position ${opToken.pos}`);
    const v = this.tokens[this.i];
    if (!v) throw invalidFilter(`expected a value after '${attrPath} ${op}'`);
    this.i++;
    let value: CompareValue;
    if (v.t === 'string' || v.t === 'number') value = v.v;
    else if (v.t === 'word' && ['true', 'false', 'null'].includes(v.v.toLowerCase())) {
      value = JSON.parse(v.v.toLowerCase()) as boolean | null;
    } else throw invalidFilter(`invalid comparison value at position ${v.pos} (strings need double quotes)`);
    return { kind: 'compare', attrPath, op: op as CompareOp, value };
  }

  private expect(kind: '(' | ')' | '[' | ']'): void {
    const t = this.tokens[this.i];
    if (t?.t !== kind) {
      throw invalidFilter(
        t ? `expected '${kind}' at position ${t.pos}` : `expected '${kind}' before the end`,
      );
    }
    this.i++;
  }
}

function describe(token: Token): string {
  return 'v' in token ? `'${String(token.v)}'` : `'${token.t}'`;
}

export function parseFilter(input: string): Filter {
  if (input.length > MAX_FILTER_LENGTH)
    throw invalidFilter(`filter longer than ${MAX_FILTER_LENGTH} characters`);
  const tokens = tokenize(input);
  if (tokens.length === 0) throw invalidFilter('filter is empty');
  return new Parser(tokens).parse();
}
