import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, http, seedProviderBody } from '@test/support';

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

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

describe('npm run local (embedded PostgreSQL, its own Redis)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'iam-local-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts both services, serves the seed calls and SCIM, and keeps data across restarts', async () => {
    const [iamPort, scimPort] = [await freePort(), await freePort()];
    const iam = `http://127.0.0.1:${iamPort}`;
    const first = await launch(dataDir, iamPort, scimPort);
    let token: string;
    let tenantId: string;
    try {
      expect(first.output()).toContain('embedded PostgreSQL (PGlite)');
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

    const second = await launch(dataDir, iamPort, scimPort);
    try {
      expect(second.output()).toContain('shown on the first start only');
      const subjects = await http(iam, 'GET', '/v1/subjects', { token, tenantId });
      expect(subjects.body.items.map((s: { userName: string }) => s.userName)).toEqual(['local@contoso.com']);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  }, 240_000);
});
