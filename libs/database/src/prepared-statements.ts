import { Client, QueryConfig } from 'pg';

/**
 * Names for the SQL texts a process runs again and again, so PostgreSQL parses and plans each once
 * per connection instead of on every execution (an unnamed statement is parsed and planned each
 * time: on the 2-core bench machine that was two thirds of a SCIM read's database time).
 *
 * A text is named from its second sighting on: the hot statements (every SCIM read and write runs
 * the same few texts) all qualify, while texts built once (an unusual filter shape, a bulk insert of
 * an odd size) do not take a name. Both maps are bounded, so no client can make the process, or
 * the server's per-connection statement cache, grow without limit: past NAMED_MAX, new texts run
 * unnamed as before.
 */
export class StatementNames {
  private readonly named = new Map<string, string>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly namedMax = 1000,
    private readonly seenMax = 10_000,
  ) {}

  /** The name to run `text` under, or undefined to run it unnamed this time. */
  nameFor(text: string): string | undefined {
    const name = this.named.get(text);
    if (name !== undefined || this.named.size >= this.namedMax) return name;
    if (!this.seen.has(text)) {
      if (this.seen.size >= this.seenMax) this.seen.clear();
      this.seen.add(text);
      return undefined;
    }
    this.seen.delete(text);
    const assigned = `stmt_${this.named.size}`;
    this.named.set(text, assigned);
    return assigned;
  }
}

/** One per process: a text has the same name on every connection (each prepares it on first use). */
const statementNames = new StatementNames();

/**
 * node-postgres' Client, running repeated parameterised statements as named prepared statements.
 * The pool makes its connections with it (`extra.Client`), so TypeORM's `query(sql, params)` and
 * every repository keep their plain calls. Statements without parameters keep the simple protocol
 * (it may carry several statements, as migrations do).
 *
 * Opt-in (DATABASE_PREPARED_STATEMENTS): after five executions PostgreSQL may keep one generic plan
 * per statement until the tables' definitions or statistics change. Where autovacuum is off or late,
 * a plan made while a table was small outlives its growth (a group read planned on a nearly empty
 * group_members went past 5 s at 10,500 members). A statement whose result columns change
 * (`SELECT *` from an altered table) would fail, which is why no statement here answers `*` at its
 * top level.
 */
export class PreparingClient extends Client {
  // `any`: this one override stands for all of Client.query's overloads (promise, callback, submittable).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: unknown[]): any {
    const [text, values, callback] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementNames.nameFor(text);
      if (name !== undefined) {
        const config: QueryConfig = { name, text, values };
        return (super.query as (...a: unknown[]) => unknown)(config, callback);
      }
    }
    return (super.query as (...a: unknown[]) => unknown)(...args);
  }
}
