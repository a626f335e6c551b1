import { randomUUID } from 'node:crypto';
import { createServer, connect, Server, Socket } from 'node:net';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Db } from '@app/database';
import { eventually, testFileDatabaseUrl } from '@test/support';
import { IamAdminConfig } from '../config/iam-admin.config';
import { TenantsRepository } from '../tenants/tenants.repository';
import { TENANT_CONFIG_LISTENER_NAME, TenantConfigCacheService } from './tenant-config-cache.service';
import {
  TENANT_CONFIG_CHANNEL,
  TenantConfigNotificationsRepository,
} from './tenant-config-notifications.repository';

/**
 * A TCP hop between the listener and PostgreSQL that the test can cut (connections refused) or
 * freeze (nothing forwarded, nothing closed: a connection that died silently).
 */
class Hop {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private state: 'up' | 'down' | 'frozen' = 'up';
  url = '';

  async start(target: string): Promise<void> {
    const to = new URL(target);
    this.server = createServer((inbound) => {
      if (this.state === 'down') return void inbound.destroy();
      const outbound = connect(Number(to.port || 5432), to.hostname);
      for (const [from, to] of [
        [inbound, outbound],
        [outbound, inbound],
      ] as const) {
        this.sockets.add(from);
        from.on('error', () => undefined);
        from.on('close', () => {
          this.sockets.delete(from);
          to.destroy();
        });
        // Not pipe(): a paused socket must stay paused (a pipe resumes its source on drain).
        from.on('data', (chunk) => to.write(chunk));
        if (this.state === 'frozen') from.pause();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as { port: number }).port;
    this.url = Object.assign(new URL(target), { host: `127.0.0.1:${port}` }).toString();
  }

  /** New connections are refused; those open stay. */
  down(): void {
    this.state = 'down';
  }

  freeze(): void {
    this.state = 'frozen';
    for (const socket of this.sockets) socket.pause();
  }

  up(): void {
    this.state = 'up';
    for (const socket of this.sockets) socket.resume();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe('TenantConfigCacheService (real PostgreSQL, LISTEN/NOTIFY)', () => {
  let url: string;
  let db: DataSource;
  /** Another IAM instance, as PostgreSQL sees it: a connection of its own. */
  let other: Client;
  const hop = new Hop();
  const tenants = new TenantsRepository();
  const started: TenantConfigCacheService[] = [];

  beforeAll(async () => {
    url = await testFileDatabaseUrl();
    db = await new DataSource({ type: 'postgres', url }).initialize();
    other = new Client({ connectionString: url });
    await other.connect();
    await hop.start(url);
  });
  afterEach(async () => {
    hop.up();
    await Promise.all(started.splice(0).map((service) => service.onApplicationShutdown()));
  });
  afterAll(async () => {
    await hop.stop();
    await other?.end();
    await db?.destroy();
  });

  const newTenant = async (displayName = `tenant ${randomUUID()}`) =>
    (await tenants.insert(db, { displayName })).id;
  const readName = async (d: Db, tenantId: string): Promise<string> =>
    (await d.query(`SELECT display_name AS name FROM tenants WHERE id = $1`, [tenantId]))[0].name;
  const rename = (tenantId: string, name: string) =>
    other.query(`UPDATE tenants SET display_name = $2 WHERE id = $1`, [tenantId, name]);
  const notify = (payload: string) =>
    other.query(`SELECT pg_notify($1, $2)`, [TENANT_CONFIG_CHANNEL, payload]);
  const listenerBackends = async (): Promise<number> =>
    (
      await other.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
        [TENANT_CONFIG_LISTENER_NAME],
      )
    ).rows[0].n;

  const terminateListener = async () => {
    const terminated = await other.query(
      `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
        WHERE application_name = $1 AND datname = current_database()`,
      [TENANT_CONFIG_LISTENER_NAME],
    );
    expect(terminated.rows).toEqual([{ done: true }]);
  };

  /** An instance whose listener reaches PostgreSQL through the hop, with a cache of tenant names counting its loads. */
  async function instance(
    options: {
      enabled?: boolean;
      listen?: boolean;
      notifications?: TenantConfigNotificationsRepository;
      ttlMs?: number;
    } = {},
  ) {
    const config = {
      DATABASE_URL: hop.url,
      IAM_TENANT_CONFIG_CACHE: options.enabled ?? true,
    } as IamAdminConfig;
    const service = new TenantConfigCacheService(
      db,
      config,
      options.notifications ?? new TenantConfigNotificationsRepository(),
    );
    started.push(service);
    const loads: string[] = [];
    const names = service.cache(
      'tenant-names',
      (d, tenantId) => {
        loads.push(tenantId);
        return readName(d, tenantId);
      },
      undefined,
      options.ttlMs,
    );
    service.onModuleInit();
    if (options.listen ?? true) await eventually(() => service.listening);
    return {
      service,
      name: (tenantId: string) => names.get(db, tenantId),
      loadsOf: (tenantId: string) => loads.filter((id) => id.toLowerCase() === tenantId.toLowerCase()).length,
    };
  }
  type Instance = Awaited<ReturnType<typeof instance>>;

  /**
   * Waits until `cache` has heard an announcement of `marker` committed now: PostgreSQL delivers
   * notifications in commit order, so whatever was announced before has been heard by then.
   */
  async function heardUpTo(cache: Instance, marker: string): Promise<void> {
    await cache.name(marker);
    const loads = cache.loadsOf(marker);
    await notify(marker);
    await eventually(async () => {
      await cache.name(marker);
      return cache.loadsOf(marker) > loads;
    });
  }

  it('loads a tenant once, then answers from memory (whatever the case of its id)', async () => {
    const cache = await instance();
    const [a, b] = [await newTenant('Contoso'), await newTenant('Fabrikam')];
    expect(await cache.name(a)).toBe('Contoso');
    expect(await cache.name(a)).toBe('Contoso');
    expect(await cache.name(a.toUpperCase())).toBe('Contoso');
    expect(await cache.name(b)).toBe('Fabrikam');
    expect(cache.loadsOf(a)).toBe(1);
    expect(cache.loadsOf(b)).toBe(1);
  });

  it('hears a change another instance commits (not before its commit) and loads it again', async () => {
    const cache = await instance();
    const a = await newTenant('before');
    await cache.name(a);
    await other.query('BEGIN');
    await rename(a, 'after');
    await notify(a);
    await new Promise((r) => setTimeout(r, 300));
    // Not committed: nothing was delivered, and the entry is still what is committed.
    expect(await cache.name(a)).toBe('before');
    expect(cache.loadsOf(a)).toBe(1);
    await other.query('COMMIT');
    await eventually(async () => (await cache.name(a)) === 'after');
    expect(cache.loadsOf(a)).toBe(2);
    expect(await cache.name(a)).toBe('after');
    expect(cache.loadsOf(a)).toBe(2);
  });

  it('hears nothing of a change that is rolled back', async () => {
    const cache = await instance();
    const a = await newTenant('kept');
    await cache.name(a);
    await other.query('BEGIN');
    await rename(a, 'rolled back');
    await notify(a);
    await other.query('ROLLBACK');
    await heardUpTo(cache, await newTenant());
    expect(await cache.name(a)).toBe('kept');
    expect(cache.loadsOf(a)).toBe(1);
  });

  it('ignores payloads that are not a tenant id; an id in capitals still counts', async () => {
    const cache = await instance();
    const a = await newTenant('steady');
    await cache.name(a);
    for (const payload of [
      '',
      'not-a-tenant',
      ` ${a}`,
      `${a}x`,
      JSON.stringify({ tenantId: a }),
      "'; DROP TABLE tenants; --",
    ]) {
      await notify(payload);
    }
    await heardUpTo(cache, await newTenant());
    expect(await cache.name(a)).toBe('steady');
    expect(cache.loadsOf(a)).toBe(1);
    expect(cache.service.listening).toBe(true);

    await rename(a, 'renamed');
    await notify(a.toUpperCase());
    await eventually(async () => (await cache.name(a)) === 'renamed');
    expect(cache.loadsOf(a)).toBe(2);
  });

  it('reads from the database while its listener is down (nothing stale), and caches again once it is back', async () => {
    const cache = await instance();
    const a = await newTenant('v1');
    await cache.name(a);
    hop.down(); // reconnections are refused until hop.up()
    await terminateListener();
    await eventually(() => !cache.service.listening);

    // Changes no instance could hear (not announced): never answered stale all the same.
    await rename(a, 'v2');
    expect(await cache.name(a)).toBe('v2');
    expect(await cache.name(a)).toBe('v2');
    expect(cache.loadsOf(a)).toBe(3);
    await rename(a, 'v3');

    hop.up();
    await eventually(() => cache.service.listening);
    // It starts afresh: what it read while away was not kept.
    expect(await cache.name(a)).toBe('v3');
    expect(await cache.name(a)).toBe('v3');
    expect(cache.loadsOf(a)).toBe(4);
  });

  it('gives up a listener connection that went silent within its heartbeat', async () => {
    const cache = await instance();
    const a = await newTenant('v1');
    await cache.name(a);
    hop.freeze();
    await eventually(() => !cache.service.listening, 15_000);
    await rename(a, 'v2');
    await notify(a); // lost in the frozen hop: the cache must not be trusted, and is not
    expect(await cache.name(a)).toBe('v2');
    hop.up();
    await eventually(() => cache.service.listening, 15_000);
    expect(await cache.name(a)).toBe('v2');
    expect(await cache.name(a)).toBe('v2');
    expect(cache.loadsOf(a)).toBe(3);
  }, 40_000);

  it('never trusts a LISTEN that hears nothing (as behind a transaction-mode pooler): every read goes to the database', async () => {
    // The listener's session is not the one notifications reach: its probe never comes back.
    class Deaf extends TenantConfigNotificationsRepository {
      override async listen(client: Client): Promise<void> {
        await client.query('LISTEN some_other_channel');
      }
    }
    const cache = await instance({ notifications: new Deaf(), listen: false });
    const a = await newTenant('v1');
    await new Promise((r) => setTimeout(r, 6_000)); // longer than the probe may take
    expect(cache.service.listening).toBe(false);
    expect(await cache.name(a)).toBe('v1');
    await rename(a, 'v2');
    expect(await cache.name(a)).toBe('v2');
    expect(cache.loadsOf(a)).toBe(2);
  }, 20_000);

  it('serves an entry at most its time to live: a change made without an announcement (psql) shows after it', async () => {
    const cache = await instance({ ttlMs: 300 });
    const a = await newTenant('v1');
    expect(await cache.name(a)).toBe('v1');
    await rename(a, 'v2'); // no pg_notify
    expect(await cache.name(a)).toBe('v1');
    await new Promise((r) => setTimeout(r, 400));
    expect(await cache.name(a)).toBe('v2');
    expect(cache.loadsOf(a)).toBe(2);
  });

  it('answers a load that raced with an invalidation but does not keep it', async () => {
    const cache = await instance();
    const a = await newTenant('old');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let read = false;
    let loads = 0;
    const slow = cache.service.cache('slow', async (d, tenantId) => {
      loads++;
      const name = await readName(d, tenantId);
      read = true;
      if (loads === 1) await gate;
      return name;
    });

    const racing = slow.get(db, a);
    await eventually(() => read);
    await other.query('BEGIN');
    await rename(a, 'new');
    await notify(a);
    await other.query('COMMIT');
    await heardUpTo(cache, await newTenant());
    release();
    expect(await racing).toBe('old'); // read before the change committed
    expect(await slow.get(db, a)).toBe('new');
    expect(await slow.get(db, a)).toBe('new');
    expect(loads).toBe(2);
  });

  it('change(): announces in the transaction, so other instances hear it at commit; this one forgets at once', async () => {
    const [here, there] = [await instance(), await instance()];
    const a = await newTenant('v1');
    await Promise.all([here.name(a), there.name(a)]);

    await here.service.change(a, (em) =>
      em.query(`UPDATE tenants SET display_name = 'v2' WHERE id = $1`, [a]),
    );
    expect(await here.name(a)).toBe('v2'); // no wait for its own notification
    await eventually(async () => (await there.name(a)) === 'v2');

    await expect(
      here.service.change(a, async (em) => {
        await em.query(`UPDATE tenants SET display_name = 'v3' WHERE id = $1`, [a]);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    const loads = there.loadsOf(a);
    await heardUpTo(there, await newTenant());
    expect(await there.name(a)).toBe('v2');
    expect(there.loadsOf(a)).toBe(loads);
  });

  it('keeps at most its number of tenants, dropping the least recently read', async () => {
    const cache = await instance();
    let loads: string[] = [];
    const small = cache.service.cache(
      'small',
      async (d, tenantId) => {
        loads.push(tenantId);
        return readName(d, tenantId);
      },
      2,
    );
    const [a, b, c] = [await newTenant(), await newTenant(), await newTenant()];
    for (const id of [a, b, a, c]) await small.get(db, id);
    expect(loads).toEqual([a, b, c]);
    loads = [];
    for (const id of [a, c, b]) await small.get(db, id);
    expect(loads).toEqual([b]);
  });

  it('with IAM_TENANT_CONFIG_CACHE=false keeps nothing and opens no listener connection', async () => {
    const cache = await instance({ enabled: false, listen: false });
    const a = await newTenant('v1');
    expect(await cache.name(a)).toBe('v1');
    await rename(a, 'v2');
    expect(await cache.name(a)).toBe('v2');
    expect(cache.loadsOf(a)).toBe(2);
    expect(cache.service.listening).toBe(false);
    // Earlier tests' listeners may still be closing.
    await eventually(async () => (await listenerBackends()) === 0);
  });

  it('closes its listener connection on shutdown, also while reconnecting', async () => {
    const cache = await instance();
    await eventually(async () => (await listenerBackends()) === 1);
    await cache.service.onApplicationShutdown();
    await eventually(async () => (await listenerBackends()) === 0);
    expect(cache.service.listening).toBe(false);

    const reconnecting = await instance();
    hop.down();
    await terminateListener();
    await eventually(() => !reconnecting.service.listening);
    const startedAt = Date.now();
    await reconnecting.service.onApplicationShutdown();
    expect(Date.now() - startedAt).toBeLessThan(2_500);
    hop.up();
    await new Promise((r) => setTimeout(r, 1_000)); // past its first retry: it must not come back
    expect(await listenerBackends()).toBe(0);
  });
});
