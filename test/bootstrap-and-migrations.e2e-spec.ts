import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrationsWithLock, MIGRATIONS } from '@app/database';
import { createScratchDatabase, http, spawnIamAdmin, startIamAdmin } from '@test/support';
import { InstallationBootstrap1764662400100 } from '../libs/database/src/migrations/1764662400100-InstallationBootstrap';

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

const pick = (env: Record<string, string>, ...names: string[]) =>
  Object.fromEntries(names.map((name) => [name, env[name]!]));

describe('after the first start: the bootstrap never comes back, recovery is explicit', () => {
  const recover = (databaseUrl: string) =>
    promisify(execFile)('npm', ['run', '--silent', 'admin:recover'], {
      env: { PATH: process.env.PATH!, DATABASE_URL: databaseUrl, NODE_ENV: 'test' },
    });

  it('keeps IAM_BOOTSTRAP_ADMIN_TOKEN dead with admin_tokens empty; npm run admin:recover mints a new token, printed once', async () => {
    const db = await createScratchDatabase();
    const bootstrap = 'iamadm_' + 'd'.repeat(43);
    const probe = new DataSource({ type: 'postgres', url: db.url });
    try {
      const iam = await startIamAdmin({ DATABASE_URL: db.url, IAM_BOOTSTRAP_ADMIN_TOKEN: bootstrap });
      // Every admin token gone: what a JWT platform admin gets by revoking the last (expired) ones,
      // or the old README recovery (DELETE FROM admin_tokens) did.
      await iam.app.get(DataSource).query(`DELETE FROM admin_tokens`);
      await iam.close();

      // Restarted as a process of its own, so its start-up log lines are its own.
      const again = await spawnIamAdmin({
        ...pick(iam.env, 'DATABASE_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'IAM_SECRET_KEY'),
        IAM_BOOTSTRAP_ADMIN_TOKEN: bootstrap,
      });
      try {
        expect((await http(again.url, 'GET', '/v1/tenants', { token: bootstrap })).status).toBe(401);
        const logs = again.output.join('');
        expect(logs).toContain('IAM_BOOTSTRAP_ADMIN_TOKEN is ignored');
        expect(logs).toContain('no working platform admin token is left: run npm run admin:recover');

        const { stdout } = await recover(db.url);
        const token = /shown once, store it now\): (iamadm_[A-Za-z0-9_-]{43})\n$/.exec(stdout)?.[1];
        expect(token).toBeDefined();
        const tenants = await http(again.url, 'GET', '/v1/tenants', { token });
        expect(tenants.status).toBe(200);
        expect(tenants.body).toHaveLength(1); // the recovery made no second default tenant
        const minted = await http(again.url, 'POST', '/v1/admin-tokens', {
          token,
          body: { description: 'successor', permissions: ['iam:platform-admin', 'iam:admin'] },
        });
        expect(minted.status).toBe(201);
        await probe.initialize();
        const rows = await probe.query(
          `SELECT token_hash, created_by, tenant_id, expires_at FROM admin_tokens ORDER BY created_at`,
        );
        expect(rows[0]).toMatchObject({ created_by: 'recovery', tenant_id: null, expires_at: null });
        expect(JSON.stringify(rows)).not.toContain(token!.slice(7));
        expect(again.output.join('')).not.toContain(token);
      } finally {
        await again.stop();
      }
    } finally {
      if (probe.isInitialized) await probe.destroy();
      await db.drop();
    }
  });

  it('refuses to recover an installation that was never bootstrapped', async () => {
    const db = await createScratchDatabase();
    const dataSource = await new DataSource(
      dataSourceOptions({ url: db.url, poolSize: 2, applicationName: 'recover-test' }),
    ).initialize();
    try {
      await runMigrationsWithLock(dataSource);
      await expect(recover(db.url)).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('this installation was never bootstrapped'),
      });
      expect(await dataSource.query(`SELECT id FROM admin_tokens`)).toEqual([]);
    } finally {
      await dataSource.destroy();
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

  it('count an installation that predates the bootstrap marker as bootstrapped, an empty one not', async () => {
    const db = await createScratchDatabase();
    const dataSource = await new DataSource(
      dataSourceOptions({ url: db.url, poolSize: 2, applicationName: 'migration-upgrade' }),
    ).initialize();
    const marker = new InstallationBootstrap1764662400100();
    const runner = dataSource.createQueryRunner();
    const marked = async () => (await runner.query(`SELECT 1 FROM installation_bootstrap`)).length;
    try {
      await runMigrationsWithLock(dataSource);
      expect(await marked()).toBe(0);
      await marker.down(runner);
      await runner.query(`INSERT INTO tenants (display_name, is_default) VALUES ('Default tenant', true)`);
      await marker.up(runner);
      expect(await marked()).toBe(1);
    } finally {
      await runner.release();
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
