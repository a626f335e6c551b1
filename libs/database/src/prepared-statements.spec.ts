import { DataSource, QueryFailedError } from 'typeorm';
import { testFileDatabaseUrl } from '@test/support';
import { dataSourceOptions } from './data-source-options';
import { violatedUniqueConstraint } from './postgres-errors';
import { StatementNames } from './prepared-statements';

describe('StatementNames', () => {
  it('names a text from its second sighting on, the same name ever after', () => {
    const names = new StatementNames();
    expect(names.nameFor('SELECT $1')).toBeUndefined();
    const name = names.nameFor('SELECT $1');
    expect(name).toMatch(/^stmt_\d+$/);
    expect(names.nameFor('SELECT $1')).toBe(name);
    names.nameFor('SELECT $2');
    expect(names.nameFor('SELECT $2')).not.toBe(name);
  });

  it('stops naming new texts at its bound, and forgets sightings past its other bound', () => {
    const names = new StatementNames(2, 3);
    for (const text of ['a', 'a', 'b', 'b']) names.nameFor(text);
    expect(names.nameFor('c')).toBeUndefined();
    expect(names.nameFor('c')).toBeUndefined(); // two names already: c stays unnamed
    expect(names.nameFor('a')).toBeDefined();

    const forgetful = new StatementNames(10, 2);
    forgetful.nameFor('x');
    forgetful.nameFor('y');
    forgetful.nameFor('z'); // the sightings were full: x and y are forgotten
    expect(forgetful.nameFor('x')).toBeUndefined();
    expect(forgetful.nameFor('z')).toBeDefined();
  });
});

describe('PreparingClient (real PostgreSQL, through TypeORM)', () => {
  let db: DataSource;

  beforeAll(async () => {
    db = await new DataSource(
      dataSourceOptions({
        url: await testFileDatabaseUrl(),
        poolSize: 1,
        applicationName: 'prepared-statements spec',
        preparedStatements: true,
      }),
    ).initialize();
    await db.query(`CREATE TEMP TABLE IF NOT EXISTS prepared_probe (id int PRIMARY KEY, name text)`);
  });
  afterAll(() => db?.destroy());

  const prepared = async (): Promise<string[]> =>
    (await db.query(`SELECT statement FROM pg_prepared_statements ORDER BY statement`)).map(
      (r: { statement: string }) => r.statement,
    );

  it('runs a repeated parameterised statement as a prepared statement of the connection, answering the same', async () => {
    const text = `SELECT $1::int + 1 AS n, 'probe' AS probe`;
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await db.query(text, [i]));
    expect(answers).toEqual([
      [{ n: 1, probe: 'probe' }],
      [{ n: 2, probe: 'probe' }],
      [{ n: 3, probe: 'probe' }],
    ]);
    expect(await prepared()).toContain(text);
  });

  it('keeps statements without parameters unnamed (several in one string still work)', async () => {
    const text = `SELECT 1 AS one; SELECT 2 AS two`;
    for (let i = 0; i < 3; i++) await db.query(text);
    expect(await prepared()).not.toContain(text);
  });

  it('reports errors of a prepared statement as TypeORM does, so refusals are still classified', async () => {
    const insert = `INSERT INTO prepared_probe (id, name) VALUES ($1, $2)`;
    await db.query(insert, [1, 'a']);
    await db.query(insert, [2, 'b']);
    const failure = await db.query(insert, [1, 'again']).catch((error: unknown) => error);
    expect(await prepared()).toContain(insert);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(violatedUniqueConstraint(failure)).toBe('prepared_probe_pkey');
  });
});
