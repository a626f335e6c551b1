import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrationsWithLock, MIGRATIONS } from '@app/database';
import { createScratchDatabase, http, startIamAdmin } from '@app/testing';

describe('first start of an empty installation', () => {
  it('migrates, creates the default tenant and a bootstrap token from IAM_BOOTSTRAP_ADMIN_TOKEN, once', async () => {
    const db = await createScratchDatabase();
    const token = 'iamadm_' + 'b'.repeat(43);
    try {
      const iam = await startIamAdmin({ DATABASE_URL: db.url, IAM_BOOTSTRAP_ADMIN_TOKEN: token });
      const tenants = await http(iam.url, 'GET', '/v1/tenants', { token });
      expect(tenants.status).toBe(200);
      expect(tenants.body).toHaveLength(1);
      expect(tenants.body[0]).toMatchObject({ isDefault: true, enabled: true });
      expect(iam.logs.text).not.toContain(token);
      await iam.close();

      // A second start (even with another env token) creates nothing more and keeps the first token.
      const again = await startIamAdmin({
        DATABASE_URL: db.url,
        IAM_BOOTSTRAP_ADMIN_TOKEN: 'iamadm_' + 'c'.repeat(43),
      });
      expect((await http(again.url, 'GET', '/v1/tenants', { token })).body).toHaveLength(1);
      expect(
        (await http(again.url, 'GET', '/v1/tenants', { token: 'iamadm_' + 'c'.repeat(43) })).status,
      ).toBe(401);
      await again.close();
    } finally {
      await db.drop();
    }
  });

  it('generates and prints a bootstrap token when none is configured; it stores only a digest', async () => {
    const db = await createScratchDatabase();
    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const iam = await startIamAdmin({ DATABASE_URL: db.url });
      spy.mockRestore();
      const token = /Bootstrap admin token \(shown once, store it now\): (iamadm_\S+)/.exec(
        printed.join(''),
      )?.[1];
      expect(token).toBeDefined();
      expect((await http(iam.url, 'GET', '/v1/tenants', { token })).status).toBe(200);
      const stored = await iam.app.get(DataSource).query('SELECT token_hash FROM admin_tokens');
      expect(stored).toHaveLength(1);
      expect(stored[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(token!.slice(7));
      expect(iam.logs.text).not.toContain(token);
      await iam.close();
    } finally {
      spy.mockRestore();
      process.stdout.write = write;
      await db.drop();
    }
  });
});

describe('migrations', () => {
  it('run up on an empty database, down to nothing, and up again', async () => {
    const db = await createScratchDatabase();
    const dataSource = await new DataSource(
      dataSourceOptions({ url: db.url, poolSize: 2, applicationName: 'migration-test' }),
    ).initialize();
    const tables = async () =>
      (
        await dataSource.query(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
        )
      ).map((r: { table_name: string }) => r.table_name);
    try {
      const applied = await runMigrationsWithLock(dataSource);
      expect(applied).toHaveLength(MIGRATIONS.length);
      expect(await tables()).toEqual(
        expect.arrayContaining(['admin_tokens', 'identity_providers', 'scim_tokens', 'tenants']),
      );
      expect(await runMigrationsWithLock(dataSource)).toEqual([]);
      for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await tables()).toEqual([]);
      expect(await runMigrationsWithLock(dataSource)).toHaveLength(MIGRATIONS.length);
    } finally {
      await dataSource.destroy();
      await db.drop();
    }
  });

  it('let several instances start together: the advisory lock makes one migrate', async () => {
    const db = await createScratchDatabase();
    const sources = await Promise.all(
      [1, 2, 3].map(() =>
        new DataSource(
          dataSourceOptions({ url: db.url, poolSize: 2, applicationName: 'migration-race' }),
        ).initialize(),
      ),
    );
    try {
      const results = await Promise.all(sources.map((s) => runMigrationsWithLock(s)));
      expect(results.map((r) => r.length).sort()).toEqual([0, 0, MIGRATIONS.length]);
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
      await db.drop();
    }
  });
});
