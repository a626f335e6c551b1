import { DataSource } from 'typeorm';
import { testFileDatabaseUrl } from '@test/support';
import { classifyDatabaseError } from './postgres-errors';

/** Real PostgreSQL errors, classified as the provisioning worker sees them. */
describe('classifyDatabaseError', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = await new DataSource({ type: 'postgres', url: await testFileDatabaseUrl() }).initialize();
  });
  afterAll(() => db.destroy());

  const errorOf = (sql: string, params: unknown[] = []) =>
    db.query(sql, params).then(
      () => undefined,
      (error: unknown) => error,
    );

  it.each([
    ['NUL in jsonb', `SELECT $1::jsonb`, ['"a\\u0000b"'], '22P05'],
    ['NUL in text', `SELECT $1::text`, ['a\u0000b'], '22021'],
    ['a date that does not exist', `SELECT $1::timestamptz`, ['1'], '22007'],
    ['a bigint out of range', `SELECT $1::bigint`, ['100000000000000000000'], '22003'],
    [
      'a NOT NULL column',
      `CREATE TEMP TABLE t_nn (a text NOT NULL); INSERT INTO t_nn VALUES (NULL)`,
      [],
      '23502',
    ],
  ])('%s is a refusal, never retried', async (_, sql, params, code) => {
    const error = await errorOf(sql, params);
    expect(classifyDatabaseError(error)).toMatchObject({ kind: 'refusal', code });
  });

  it('an index row too large (class 54) is a refusal naming the index', async () => {
    await db.query(
      `CREATE TEMP TABLE t_big (display_name text); CREATE INDEX ix_t_big_display_name ON t_big (display_name)`,
    );
    const random = Array.from({ length: 400 }, () => Math.random().toString(36).slice(2)).join('');
    const classified = classifyDatabaseError(await errorOf(`INSERT INTO t_big VALUES ($1)`, [random]));
    expect(classified).toMatchObject({ kind: 'refusal', code: '54000' });
    expect(classified.kind === 'refusal' && classified.names.join(' ')).toContain('display_name');
  });

  it('a statement timeout is a fault, retried', async () => {
    const timeout = await db.transaction((em) =>
      em.query(`SET LOCAL statement_timeout = 50; SELECT pg_sleep(1)`).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    expect(classifyDatabaseError(timeout)).toMatchObject({ kind: 'fault', code: '57014' });
  });

  it.each(['40001', '40P01', '55P03', '57P01', '08006'])('SQLSTATE %s is a fault', (code) => {
    expect(classifyDatabaseError(Object.assign(new Error('x'), { code }))).toMatchObject({
      kind: 'fault',
      code,
    });
  });

  it('a lost connection without a SQLSTATE is a fault; an ordinary error is unknown', () => {
    expect(classifyDatabaseError(new Error('Connection terminated unexpectedly')).kind).toBe('fault');
    expect(classifyDatabaseError(new TypeError('x is undefined')).kind).toBe('unknown');
    expect(classifyDatabaseError(Object.assign(new Error('raised'), { code: 'P0001' })).kind).toBe('unknown');
  });
});
