import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { eventually, freePort, http, seedProviderBody } from '@test/support';

/** `npm run local` as a newcomer runs it: no DATABASE_URL, no REDIS_URL, a fresh data directory. */
async function launch(
  dataDir: string,
  iamPort: number,
  scimPort: number,
): Promise<{ child: ChildProcess; output: () => string }> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: dataDir,
    IAM_PORT: String(iamPort),
    SCIM_PORT: String(scimPort),
    LOCAL_SKIP_BUILD: '1',
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.IAM_SECRET_KEY;
  delete env.IAM_BOOTSTRAP_ADMIN_TOKEN;
  const child = spawn(process.execPath, ['scripts/local.js'], {
    cwd: path.resolve(__dirname, '..'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const until = Date.now() + 90_000;
  while (!text.includes('Ctrl-C stops everything.')) {
    if (child.exitCode !== null || Date.now() > until)
      throw new Error(`npm run local did not come up:\n${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, output: () => text };
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = exitOf(child);
  child.kill('SIGINT');
  return exited;
}

/** The pid of the embedded server running on DATA_DIR/postgres, from its pid file (gone once it has stopped). */
function embeddedServerPid(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  return existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
}

/** The launcher's database, logged in as the embedded server's superuser (its password is in the data directory). */
function embeddedDatabaseUrl(dataDir: string, output: string): string {
  const password = readFileSync(path.join(dataDir, 'postgres', 'superuser.password'), 'utf8').trim();
  const port = /embedded PostgreSQL on 127\.0\.0\.1:(\d+)/.exec(output)![1];
  return `postgres://postgres:${password}@127.0.0.1:${port}/iam`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run local (embedded PostgreSQL, its own Redis)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'iam-local-'));
  // As root the server runs as the postgres OS user, which must be able to enter the data directory.
  chmodSync(dataDir, 0o755);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts both services, serves the seed calls and SCIM, and keeps data across restarts', async () => {
    const [iamPort, scimPort] = [await freePort(), await freePort()];
    const iam = `http://127.0.0.1:${iamPort}`;
    const first = await launch(dataDir, iamPort, scimPort);
    const firstServerPid = embeddedServerPid(dataDir);
    let token: string;
    let tenantId: string;
    try {
      expect(first.output()).toContain('Database: embedded PostgreSQL on 127.0.0.1:');
      expect(first.output()).toContain('started redis-server');
      token = /Bootstrap admin token \(shown once, store it now\): (iamadm_\S+)/.exec(first.output())![1]!;
      tenantId = /Default tenant id: (\S+)/.exec(first.output())![1]!;
      const admin = { token, tenantId };
      expect(
        (await http(iam, 'POST', '/v1/sso/azuread', { ...admin, body: seedProviderBody('contoso') })).status,
      ).toBe(201);
      const scimToken = (
        await http(iam, 'POST', '/v1/scim', {
          ...admin,
          body: { provider: 'contoso', providerDisplayName: 'Contoso' },
        })
      ).body.token;
      const scim = `http://127.0.0.1:${scimPort}/${tenantId}/api/scim/v2`;
      const created = await http(scim, 'POST', '/Users', {
        token: scimToken,
        body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'local@contoso.com' },
      });
      expect(created.status).toBe(201);
      const found = await http(
        scim,
        'GET',
        `/Users?filter=${encodeURIComponent('userName eq "LOCAL@contoso.com"')}`,
        { token: scimToken },
      );
      expect(found.text).toContain('"totalResults":1');
    } finally {
      expect(await stop(first.child)).toBe(0);
    }
    // Ctrl-C stopped the database server too, not only the services.
    expect(firstServerPid).toBeGreaterThan(0);
    expect(embeddedServerPid(dataDir)).toBeUndefined();
    await eventually(() => !isAlive(firstServerPid!));

    const second = await launch(dataDir, iamPort, scimPort);
    try {
      expect(second.output()).toContain('shown on the first start only');
      const subjects = await http(iam, 'GET', '/v1/subjects', { token, tenantId });
      expect(subjects.body.items.map((s: { userName: string }) => s.userName)).toEqual(['local@contoso.com']);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  }, 240_000);

  it('is a real PostgreSQL behind a password: one session per connection, so locks behave as in production', async () => {
    const { child, output } = await launch(dataDir, await freePort(), await freePort());
    const url = embeddedDatabaseUrl(dataDir, output());
    const [holder, other] = [new Client({ connectionString: url }), new Client({ connectionString: url })];
    try {
      // Its superuser could run programs on this machine (COPY … TO PROGRAM): other local accounts must not log in.
      const anyone = new Client({ connectionString: url.replace(/:[^:@/]+@/, '@') });
      await expect(anyone.connect()).rejects.toThrow(/password/);
      await Promise.all([holder.connect(), other.connect()]);
      const version = await other.query<{ v: number }>(
        `SELECT current_setting('server_version_num')::int AS v`,
      );
      expect(version.rows[0]!.v).toBeGreaterThanOrEqual(170000);
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(4242)');
      // A server that shares one session between connections would make this wait for the holder's transaction.
      const tried = await other.query<{ got: boolean }>('SELECT pg_try_advisory_lock(4242) AS got');
      expect(tried.rows[0]!.got).toBe(false);
      const pids = await Promise.all([holder, other].map((c) => c.query('SELECT pg_backend_pid() AS pid')));
      expect(pids[0]!.rows[0].pid).not.toBe(pids[1]!.rows[0].pid);
    } finally {
      await Promise.all([holder.end(), other.end()]);
      expect(await stop(child)).toBe(0);
    }
  }, 120_000);

  it('stops everything, the database server included, when a service crashes', async () => {
    const { child } = await launch(dataDir, await freePort(), await freePort());
    const serverPid = embeddedServerPid(dataDir)!;
    expect(isAlive(serverPid)).toBe(true);
    const gateway = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(child.pid)], {
      encoding: 'utf8',
    })
      .split('\n')
      .find((line) => line.includes('scim-gateway'));
    process.kill(Number(gateway!.trim().split(' ')[0]), 'SIGKILL');
    expect(await exitOf(child)).toBe(1);
    expect(embeddedServerPid(dataDir)).toBeUndefined();
    await eventually(() => !isAlive(serverPid));
  }, 120_000);
});
