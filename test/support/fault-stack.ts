import { ChildProcess, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { ChildService, freePort, ROOT, spawnService } from './child-process';
import { http, seedProviderBody } from './fixtures';

/*
 * A whole installation of its own for fault injection: an embedded PostgreSQL 17 and a redis-server (append-only file
 * on) on free ports, IAM and gateways as child processes. Faults are injected only into these: the shared PostgreSQL
 * and Redis other test files use are never touched.
 */

/**
 * The launcher's embedded PostgreSQL, driven through a short node process: it loads the server binaries' package with
 * import(), which Jest's module system does not run. pg_ctl leaves the server running as a daemon.
 */
async function embeddedPostgres(call: string): Promise<void> {
  const script = `require('./scripts/embedded-postgres.js').${call}.catch((e) => { console.error(e); process.exit(1); })`;
  await promisify(execFile)(process.execPath, ['-e', script], { cwd: ROOT });
}

interface RedisServer {
  startRedis(options: { port: number; dir?: string }): Promise<ChildProcess>;
}
// The launcher's own script (CommonJS), from source or from dist alike.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const redisServer = require(path.join(ROOT, 'scripts/redis-server.js')) as RedisServer;

export const FAULT_DATABASE = 'iam_test_chaos';

export interface FaultStack {
  tenantId: string;
  scimToken: string;
  adminToken: string;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  iam(): ChildService;
  /** The gateways that are up now (one may be down between a kill and its restart). */
  gateways(): ChildService[];
  /** Processes that exited without being told to (a service that dies when a dependency restarts). */
  unexpectedExits: string[];
  /** Each returns when the restarted piece is up again. */
  killIam(): Promise<void>;
  killGateway(): Promise<void>;
  restartRedis(): Promise<void>;
  restartPostgres(): Promise<void>;
  db<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export interface FaultStackOptions {
  gateways?: number;
  iamEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
}

export async function startFaultStack(options: FaultStackOptions = {}): Promise<FaultStack> {
  // What has started so far, stopped in reverse order by stop() or when the start fails half-way.
  const started: Array<() => Promise<unknown>> = [];
  const teardown = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  };
  try {
    return await startPieces(options, started, teardown);
  } catch (error) {
    await teardown();
    throw error;
  }
}

async function startPieces(
  options: FaultStackOptions,
  started: Array<() => Promise<unknown>>,
  teardown: () => Promise<void>,
): Promise<FaultStack> {
  const scratch = path.join('/tmp', `iam-chaos-${randomBytes(4).toString('hex')}`);
  const pgDir = path.join(scratch, 'postgres');
  const redisDir = path.join(scratch, 'redis');
  const pgPort = await freePort();
  const redisPort = await freePort();
  // fsync off: a restart of the server process (not of the machine) keeps every committed row in the page cache.
  const startPostgres = () =>
    embeddedPostgres(
      `startEmbeddedPostgres(${JSON.stringify({ dataDir: pgDir, port: pgPort, durable: false })})`,
    );
  const stopPostgres = () => embeddedPostgres(`stopEmbeddedPostgres(${JSON.stringify(pgDir)})`);
  // The scratch directory must be traversable by the postgres OS user the server runs as (when we are root).
  mkdirSync(scratch, { mode: 0o755 });
  started.push(async () => rmSync(scratch, { recursive: true, force: true }));
  await startPostgres();
  started.push(stopPostgres);
  const serverUrl = `postgres://postgres@127.0.0.1:${pgPort}`;
  const databaseUrl = `${serverUrl}/${FAULT_DATABASE}`;
  const setup = new Client({ connectionString: `${serverUrl}/postgres` });
  await setup.connect();
  await setup.query(`CREATE DATABASE ${FAULT_DATABASE}`);
  await setup.end();
  mkdirSync(redisDir, { recursive: true });
  let redis = await redisServer.startRedis({ port: redisPort, dir: redisDir });
  started.push(async () => redis.kill('SIGTERM'));
  const redisUrl = `redis://127.0.0.1:${redisPort}/0`;

  const adminToken = `iamadm_${randomBytes(32).toString('base64url')}`;
  const queuePrefix = `chaos-${randomBytes(4).toString('hex')}`;
  const common = {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    IAM_SECRET_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    OUTBOUND_ALLOW_LOOPBACK: 'true',
    SCIM_RATE_LIMIT_PER_TOKEN: '0',
    SCIM_RATE_LIMIT_PER_IP: '0',
  };
  const iamEnv = {
    ...common,
    IAM_BOOTSTRAP_ADMIN_TOKEN: adminToken,
    // A killed worker's commands are taken over within seconds, not the 30 s default.
    PROVISIONING_LOCK_MS: '3000',
    PROVISIONING_STALLED_CHECK_MS: '1000',
    ...options.iamEnv,
  };
  const gatewayEnv = {
    ...common,
    SCIM_COMMAND_TIMEOUT_MS: '5000',
    SCIM_RETRY_AFTER_SECONDS: '1',
    ...options.gatewayEnv,
  };

  const unexpectedExits: string[] = [];
  let closed = false;
  const stopping = new Set<ChildService>();
  /** A supervisor, as systemd or Kubernetes would be: a service that exits unasked is recorded and started again. */
  const supervise = async (
    app: 'iam-admin' | 'scim-gateway',
    env: Record<string, string>,
    replace: (s: ChildService) => void,
  ): Promise<ChildService> => {
    const service = await spawnService(app, env);
    service.process.once('exit', (code, signal) => {
      if (stopping.has(service) || closed) return;
      unexpectedExits.push(`${app} exited (${signal ?? code}) at ${new Date().toISOString()}`);
      void supervise(app, env, replace).then(replace, () => undefined);
    });
    return service;
  };
  const gateways: ChildService[] = [];
  started.push(async () => {
    closed = true;
    for (const service of [...gateways, iam]) {
      stopping.add(service);
      if (service?.process.exitCode === null && service.process.signalCode === null) await service.stop();
    }
  });
  let iam = await supervise('iam-admin', iamEnv, (s) => (iam = s));
  const startGateway = async (slot: number) => {
    gateways[slot] = await supervise('scim-gateway', gatewayEnv, (s) => (gateways[slot] = s));
  };
  for (let slot = 0; slot < (options.gateways ?? 1); slot++) await startGateway(slot);
  const killOf = async (service: ChildService) => {
    stopping.add(service);
    await service.crash();
  };

  const admin = async (method: string, url: string, body?: unknown, tenantId?: string) => {
    const res = await http(iam.url, method, url, { token: adminToken, tenantId, body });
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${res.text}`);
    return res.body;
  };
  const tenantId = (await admin('POST', '/v1/tenants', { displayName: 'Chaos tenant' })).id as string;
  await admin('POST', '/v1/sso/azuread', seedProviderBody('entra'), tenantId);
  const scimToken = (
    await admin('POST', '/v1/scim', { provider: 'entra', providerDisplayName: 'Entra ID' }, tenantId)
  ).token as string;

  const probe = () => new Client({ connectionString: databaseUrl });
  return {
    tenantId,
    scimToken,
    adminToken,
    databaseUrl,
    redisUrl,
    queuePrefix,
    iam: () => iam,
    gateways: () => gateways.filter((g) => g.process.exitCode === null && g.process.signalCode === null),
    unexpectedExits,
    killIam: async () => {
      await killOf(iam);
      iam = await supervise('iam-admin', iamEnv, (s) => (iam = s));
    },
    killGateway: async () => {
      await killOf(gateways[0]!);
      await startGateway(0);
    },
    restartRedis: async () => {
      // SIGTERM: Redis writes its append-only file and stops, as on a planned restart or a failover drill.
      const exited = new Promise((resolve) => redis.once('exit', resolve));
      redis.kill('SIGTERM');
      await exited;
      redis = await redisServer.startRedis({ port: redisPort, dir: redisDir });
    },
    restartPostgres: async () => {
      await stopPostgres();
      await startPostgres();
    },
    db: async (sql, params) => {
      const client = probe();
      await client.connect();
      try {
        return (await client.query(sql, params as unknown[])).rows;
      } finally {
        await client.end();
      }
    },
    stop: teardown,
  };
}
