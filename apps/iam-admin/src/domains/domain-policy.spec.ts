import { DataSource } from 'typeorm';
import { ScimError, USER_SCHEMA, UserDocument } from '@app/scim';
import { testFileDatabaseUrl } from '@test/support';
import { TenantsRepository } from '../tenants/tenants.repository';
import { DomainPolicy } from './domain-policy';
import { DomainsRepository } from './domains.repository';

describe('DomainPolicy (real PostgreSQL)', () => {
  let db: DataSource;
  let tenantId: string;
  let otherTenantId: string;
  const domains = new DomainsRepository();
  const policy = new DomainPolicy(domains);

  /** A claim as the API leaves it, verified when asked (as a matching DNS check would). */
  async function claim(tenant: string, domain: string, verified: boolean): Promise<void> {
    const row = { tenantId: tenant, domain, verificationToken: `token-${domain}` };
    await domains.insert(db, row);
    if (verified) await domains.recordCheck(db, row, null);
  }

  const user = (userName: string, emails?: unknown[]): UserDocument => ({
    schemas: [USER_SCHEMA],
    userName,
    ...(emails ? { emails } : {}),
  });

  /** The SCIM error the policy throws, or undefined when it lets the user through. */
  async function refusal(document: UserDocument, tenant = tenantId): Promise<ScimError | undefined> {
    try {
      await policy.assertManageable(db, tenant, document);
      return undefined;
    } catch (error) {
      if (error instanceof ScimError) return error;
      throw error;
    }
  }

  beforeAll(async () => {
    db = await new DataSource({ type: 'postgres', url: await testFileDatabaseUrl() }).initialize();
    const tenants = new TenantsRepository();
    tenantId = (await tenants.insert(db, { displayName: 'domain policy' })).id;
    otherTenantId = (await tenants.insert(db, { displayName: 'domain policy, other' })).id;
    await claim(tenantId, 'contoso.com', true);
    await claim(tenantId, 'pending.example', false);
    await claim(tenantId, 'xn--bcher-kva.example', true);
    await claim(otherTenantId, 'fabrikam.com', true);
  });
  afterAll(() => db?.destroy());

  it('lets through a user of a verified domain, whatever the case of the address', async () => {
    expect(await refusal(user('bjensen@contoso.com'))).toBeUndefined();
    expect(await refusal(user('BJensen@CONTOSO.com'))).toBeUndefined();
    expect(await refusal(user('anna@bücher.example'))).toBeUndefined();
  });

  it('refuses a pending domain with SCIM 400 invalidValue naming it', async () => {
    const error = await refusal(user('bjensen@pending.example'));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(error?.detail).toContain("userName: the domain 'pending.example' is not a verified domain");
  });

  it('refuses an unknown domain, and a domain only another tenant verified', async () => {
    expect((await refusal(user('x@unknown.example')))?.detail).toContain("'unknown.example'");
    expect((await refusal(user('x@fabrikam.com')))?.detail).toContain("'fabrikam.com'");
    expect(await refusal(user('x@fabrikam.com'), otherTenantId)).toBeUndefined();
  });

  it('does not cover subdomains with their parent', async () => {
    expect((await refusal(user('x@eu.contoso.com')))?.detail).toContain("'eu.contoso.com'");
  });

  it('refuses a userName without a domain', async () => {
    const error = await refusal(user('bjensen'));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(error?.detail).toContain('userName has no domain');
  });

  it('checks the primary e-mail, else the work e-mail, and ignores other e-mails', async () => {
    const primary = await refusal(
      user('bjensen@contoso.com', [
        { value: 'bjensen@contoso.com', type: 'work' },
        { value: 'b@pending.example', type: 'home', primary: true },
      ]),
    );
    expect(primary?.detail).toContain("emails (primary): the domain 'pending.example'");
    const work = await refusal(user('bjensen@contoso.com', [{ value: 'b@Unknown.Example', type: 'Work' }]));
    expect(work?.detail).toContain("'unknown.example'");
    expect(
      await refusal(
        user('bjensen@contoso.com', [
          { value: 'b@gmail.example', type: 'home' },
          { value: 'bjensen@CONTOSO.COM', type: 'work', primary: true },
        ]),
      ),
    ).toBeUndefined();
  });

  it('stops letting users of a removed domain through', async () => {
    await claim(tenantId, 'removed.example', true);
    expect(await refusal(user('x@removed.example'))).toBeUndefined();
    await domains.delete(db, tenantId, 'removed.example');
    expect((await refusal(user('x@removed.example')))?.detail).toContain("'removed.example'");
  });
});
