import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { parseFilter } from '@app/scim';
import { testFileDatabaseUrl } from '@test/support';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ScimGroupsRepository } from '../groups/scim-groups.repository';
import { ScimUsersRepository } from '../users/scim-users.repository';
import { ResourceQuery } from './scim-resource.repository';
import { TenantReadGate } from './tenant-read-gate';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];
/** How a plan reads a table: `Index Scan on <index>`, `Seq Scan on <table>`, …, once each. */
const accessPaths = (plan: PlanNode): string[] => [
  ...new Set(
    nodesOf(plan)
      .filter((n) => n['Relation Name'] !== undefined || n['Index Name'] !== undefined)
      .map((n) => `${n['Node Type']} on ${n['Index Name'] ?? n['Relation Name']}`),
  ),
];

const USERS = 20_000;
const query = (filter: string, paging = { startIndex: 1, count: 100 }): ResourceQuery => ({
  filter: parseFilter(filter),
  descending: false,
  paging,
});

/**
 * Equality filters on an indexed attribute on a table PostgreSQL has no statistics for (a new
 * tenant's rows, autovacuum off or late): every statement the repository sends is EXPLAINed
 * first, and the page query must go through the equality's index, never walk the tenant in
 * (tenant_id, created_at, id) order filtering each row.
 */
describe('SCIM list reads on a table without statistics (real PostgreSQL)', () => {
  let db: DataSource;
  let users: ScimUsersRepository;
  let groups: ScimGroupsRepository;
  let tenantId: string;
  /** The plan of each statement the repositories sent since the last reset. */
  let plans: PlanNode[];

  beforeAll(async () => {
    db = await new DataSource({ type: 'postgres', url: await testFileDatabaseUrl() }).initialize();
    for (const table of ['subjects', 'groups', 'group_members'])
      await db.query(`ALTER TABLE ${table} SET (autovacuum_enabled = off)`);
    tenantId = (await db.query(`INSERT INTO tenants (display_name) VALUES ('cold') RETURNING id`))[0].id;
    await db.query(
      `INSERT INTO subjects (tenant_id, user_name, external_id, display_name, document, source, created_at)
       SELECT $1, 'u' || g || '@contoso.com', 'ext-' || (g % ($2 / 2)), 'User ' || g,
              jsonb_build_object('userName', 'u' || g || '@contoso.com'), 'scim', now() + g * interval '1 ms'
         FROM generate_series(1, $2) g`,
      [tenantId, USERS],
    );
    await db.query(
      `INSERT INTO groups (tenant_id, display_name, external_id, document, source)
       SELECT $1, 'Team ' || g, 'gext-' || g, jsonb_build_object('displayName', 'Team ' || g), 'scim'
         FROM generate_series(1, $2) g`,
      [tenantId, USERS],
    );
    const [{ analyzed }] = await db.query(
      `SELECT count(*)::int AS analyzed FROM pg_stats WHERE tablename IN ('subjects', 'groups')`,
    );
    expect(analyzed).toBe(0);

    const explained = new Proxy(db, {
      get(target, key, receiver) {
        if (key !== 'query') return Reflect.get(target, key, receiver);
        return async (sql: string, params: unknown[]) => {
          const [row] = await target.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
          plans.push(row['QUERY PLAN'][0].Plan);
          return target.query(sql, params);
        };
      },
    });
    const module = await Test.createTestingModule({
      providers: [
        ScimUsersRepository,
        ScimGroupsRepository,
        TenantReadGate,
        { provide: ScimGatewayConfig, useValue: new ScimGatewayConfig() },
        { provide: getDataSourceToken(), useValue: explained },
      ],
    }).compile();
    users = module.get(ScimUsersRepository);
    groups = module.get(ScimGroupsRepository);
  });
  beforeEach(() => (plans = []));
  afterAll(() => db?.destroy());

  const onlyPlan = () => {
    expect(plans).toHaveLength(1);
    return accessPaths(plans[0]!);
  };
  const userNames = (rows: Array<{ document: Record<string, unknown> }>) =>
    rows.map((r) => r.document.userName);

  it('userName eq is read through the (tenant_id, lower(user_name)) index', async () => {
    const page = await users.list(tenantId, query('userName eq "U12345@CONTOSO.COM"'), true);
    expect(page.total).toBe(1);
    expect(userNames(page.resources)).toEqual(['u12345@contoso.com']);
    expect(onlyPlan()).toContain('Index Scan on ix_subjects_tenant_any_user_name');
    expect(onlyPlan().join()).not.toMatch(/ix_subjects_tenant_created|Seq Scan on subjects/);
  });

  it('externalId eq is read through its index, and pages its matches in creation order', async () => {
    // ext-5 belongs to users 5 and USERS / 2 + 5 (the modulo above): two matches.
    const page = await users.list(
      tenantId,
      query('externalId eq "ext-5"', { startIndex: 2, count: 1 }),
      false,
    );
    expect(page.total).toBe(2);
    expect(userNames(page.resources)).toEqual([`u${USERS / 2 + 5}@contoso.com`]);
    expect(onlyPlan().join()).toMatch(/Index (Only )?Scan on ix_subjects_tenant_external_id/);
    expect(onlyPlan().join()).not.toMatch(/ix_subjects_tenant_created|Seq Scan on subjects/);
  });

  it('id eq AND-ed with another condition is read through the primary key', async () => {
    const [{ id }] = await db.query(`SELECT id FROM subjects WHERE user_name = 'u777@contoso.com'`);
    const page = await users.list(tenantId, query(`active eq true and id eq "${id}"`), false);
    expect(page.total).toBe(1);
    expect(onlyPlan()).toContain('Index Scan on subjects_pkey');
    expect(onlyPlan().join()).not.toMatch(/ix_subjects_tenant_created|Seq Scan on subjects/);
    // The other condition still applies.
    expect((await users.list(tenantId, query(`active eq false and id eq "${id}"`), false)).total).toBe(0);
  });

  it('a User read by id goes through the primary key', async () => {
    const [{ id }] = await db.query(`SELECT id FROM subjects WHERE user_name = 'u15000@contoso.com'`);
    expect((await users.findById(tenantId, id, true))?.document.userName).toBe('u15000@contoso.com');
    expect(onlyPlan()).toContain('Index Scan on subjects_pkey');
    expect(onlyPlan().join()).not.toMatch(/ix_subjects_tenant_created|Seq Scan on subjects/);
    await db.query(`UPDATE subjects SET deleted_at = now() WHERE id = $1`, [id]);
    expect(await users.findById(tenantId, id, true)).toBeUndefined();
  });

  it('Group displayName eq and externalId eq are read through their indexes', async () => {
    const byName = await groups.list(tenantId, query('displayName eq "team 4321"'), false);
    expect(byName.resources.map((r) => r.document.displayName)).toEqual(['Team 4321']);
    const byExternalId = await groups.list(tenantId, query('externalId eq "gext-4321"'), false);
    expect(byExternalId.resources.map((r) => r.id)).toEqual([byName.resources[0]!.id]);
    const [name, external] = plans.map(accessPaths);
    expect(name).toContain('Index Scan on uq_groups_tenant_display_name');
    expect(external).toContain('Index Scan on ix_groups_tenant_external_id');
    expect([...name!, ...external!].join()).not.toMatch(/ix_groups_tenant_created|Seq Scan on groups/);
  });

  it('other filters keep their answers: ordered, counted and paged as before', async () => {
    const page = await users.list(tenantId, query('userName sw "u1999"', { startIndex: 3, count: 2 }), false);
    // u1999, u19990 … u19999: 11 matches in creation order.
    expect(page.total).toBe(11);
    expect(userNames(page.resources)).toEqual(['u19991@contoso.com', 'u19992@contoso.com']);
    const none = await users.list(tenantId, query('userName eq "nobody@contoso.com"'), false);
    expect(none).toEqual({ total: 0, resources: [] });
  });
});
