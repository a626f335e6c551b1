import { DataSource } from 'typeorm';
import { testFileDatabaseUrl } from '@test/support';
import { jsonbParam } from './jsonb-param';

describe('jsonbParam', () => {
  const cut = '😀'.slice(0, 1); // half an emoji, as a length limit leaves it

  it('replaces lone surrogates and NUL, keeps whole characters', () => {
    expect(JSON.parse(jsonbParam({ a: `x${cut}`, b: ['\u0000y', '😀'], n: 1 }))).toEqual({
      a: 'x\uFFFD',
      b: ['\uFFFDy', '😀'],
      n: 1,
    });
    expect(JSON.parse(jsonbParam('😀'.slice(1)))).toBe('\uFFFD');
  });

  it('gives PostgreSQL jsonb what it refuses from JSON.stringify', async () => {
    const db = await new DataSource({ type: 'postgres', url: await testFileDatabaseUrl() }).initialize();
    try {
      const value = [{ message: `cut at the limit ${cut}`, nul: 'a\u0000b' }];
      await expect(db.query(`SELECT $1::jsonb`, [JSON.stringify(value)])).rejects.toThrow();
      const [row] = await db.query(`SELECT $1::jsonb AS v`, [jsonbParam(value)]);
      expect(row.v).toEqual([{ message: 'cut at the limit \uFFFD', nul: 'a\uFFFDb' }]);
    } finally {
      await db.destroy();
    }
  });
});
