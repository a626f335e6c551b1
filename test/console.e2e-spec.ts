import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import {
  createTenant,
  eventually,
  FakeEntra,
  http,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  RunningApp,
  seedProviderBody,
  startIamAdmin,
  startScimGateway,
  TestDnsServer,
  uniqueQueuePrefix,
} from '@test/support';
import { Browser, CHROMIUM_PATH, chromiumInstalled, launchChromium } from './support/browser';

/**
 * Screenshots of the main pages. Refresh the README's with `CONSOLE_SCREENSHOTS_DIR=docs npx jest
 * test/console.e2e-spec.ts`; otherwise they go to a temporary folder, so a test run leaves the tree clean.
 */
const DOCS = process.env.CONSOLE_SCREENSHOTS_DIR
  ? resolve(process.env.CONSOLE_SCREENSHOTS_DIR)
  : mkdtempSync(join(tmpdir(), 'console-screenshots-'));
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const FOLDERS = 'urn:ietf:params:scim:schemas:extension:2.0:CustomExtensionName';

/** IAM (serving the console, SCIM_PUBLIC_URL = this gateway) and the gateway on one queue prefix. */
async function startConsoleStack(
  iamEnv: Record<string, string> = {},
): Promise<{ iam: RunningApp; gateway: RunningApp; token: string }> {
  const QUEUE_PREFIX = uniqueQueuePrefix();
  const gateway = await startScimGateway({ QUEUE_PREFIX, SCIM_TOKEN_CACHE_TTL_MS: '60000' });
  const iam = await startIamAdmin({ QUEUE_PREFIX, SCIM_PUBLIC_URL: gateway.url, ...iamEnv });
  return { iam, gateway, token: await issueAdminToken(iam, PLATFORM_PERMISSIONS) };
}

describe('operator console: served by IAM at /console', () => {
  let stack: Awaited<ReturnType<typeof startConsoleStack>>;
  beforeAll(async () => {
    stack = await startConsoleStack();
  });
  afterAll(async () => {
    await stack?.gateway.close();
    await stack?.iam.close();
  });

  it('serves index.html with a self-only CSP and no caching, and hashed assets cached for good', async () => {
    const index = await http(stack.iam.url, 'GET', '/console/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const script = /src="\/console\/(assets\/[^"]+\.js)"/.exec(index.text)?.[1];
    expect(script).toBeDefined();
    const asset = await http(stack.iam.url, 'GET', `/console/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answers index.html for the app’s own paths (reload), and never a file outside the build', async () => {
    const deep = await http(stack.iam.url, 'GET', '/console/t/mine/tokens');
    expect(deep.status).toBe(200);
    expect(deep.text).toContain('<div id="root">');
    // %2f survives URL normalisation, so the router sees `assets/../../package.json`.
    for (const path of [
      '/console/assets/..%2f..%2fpackage.json',
      '/console/..%2f..%2f..%2fpackage.json',
      '/console/assets/nope.js',
    ]) {
      const res = await http(stack.iam.url, 'GET', path);
      expect(res.text).not.toContain('"devDependencies"');
      expect(res.headers.get('cache-control')).not.toContain('immutable');
    }
    const bare = await fetch(`${stack.iam.url}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
  });
});

describe('POST /v1/scim/test-connection (what Entra’s Test Connection does)', () => {
  let stack: Awaited<ReturnType<typeof startConsoleStack>>;
  let tenantId: string;
  let scimToken: string;
  const test = (body: unknown, token = stack.token, tenant = tenantId) =>
    http(stack.iam.url, 'POST', '/v1/scim/test-connection', { token, tenantId: tenant, body });

  beforeAll(async () => {
    stack = await startConsoleStack();
    tenantId = await createTenant(stack.iam, stack.token, 'Connection tenant');
    await http(stack.iam.url, 'POST', '/v1/sso/azuread', {
      token: stack.token,
      tenantId,
      body: seedProviderBody('entra'),
    });
    const created = await http(stack.iam.url, 'POST', '/v1/scim', {
      token: stack.token,
      tenantId,
      body: { provider: 'entra', providerDisplayName: 'Entra ID' },
    });
    scimToken = created.body.token;
  });
  afterAll(async () => {
    await stack?.gateway.close();
    await stack?.iam.close();
  });

  it('asks the gateway for a random userName with the token and answers its exact status and body', async () => {
    const res = await test({ token: scimToken });
    expect(res.status).toBe(200);
    const { request, status, body, contentType, error } = res.body;
    expect(request.method).toBe('GET');
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${stack.gateway.url}/${tenantId}/api/scim/v2/Users`);
    expect(url.searchParams.get('filter')).toMatch(/^userName eq "[0-9a-f-]{36}"$/);
    expect(status).toBe(200);
    expect(error).toBeNull();
    expect(contentType).toMatch(/^application\/scim\+json/);
    expect(JSON.parse(body)).toMatchObject({ totalResults: 0, Resources: [] });
    expect(JSON.stringify(res.body)).not.toContain(scimToken);
    // Secrets never in logs: not the SCIM token IAM sent, on either service.
    expect(stack.iam.logs.lines.length).toBeGreaterThan(0);
    expect(stack.iam.logs.text).not.toContain(scimToken);
    expect(stack.gateway.logs.text).not.toContain(scimToken);
  });

  it('shows the gateway’s refusal of a wrong token (401 in the SCIM error schema), not an admin API error', async () => {
    const res = await test({ token: 'scim_not-a-token' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(401);
    expect(JSON.parse(res.body.body).schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });

  it('refuses a missing or unsendable token naming the field, and callers without admin access', async () => {
    for (const body of [{}, { token: '' }, { token: 'scim_a b' }, { token: 'scim_\u00e9' }, { token: 7 }]) {
      const res = await test(body);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^token/);
    }
    expect((await test({ token: scimToken }, 'iamadm_wrong')).status).toBe(401);
  });

  it('reports a gateway that does not answer as no status with the reason', async () => {
    const iam = await startIamAdmin({ SCIM_PUBLIC_URL: `http://127.0.0.1:${await closedPort()}` });
    try {
      const token = await issueAdminToken(iam, PLATFORM_PERMISSIONS);
      const res = await http(iam.url, 'POST', '/v1/scim/test-connection', {
        token,
        tenantId,
        body: { token: scimToken },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: null, error: 'ECONNREFUSED', body: '' });
    } finally {
      await iam.close();
    }
  });
});

if (!chromiumInstalled()) {
  console.error(
    [
      '',
      '#'.repeat(100),
      `#  BROWSER SUITE SKIPPED: no Chromium at ${CHROMIUM_PATH}.`,
      '#  Install it with `apt-get install -y chromium` (scripts/ensure-chromium.sh does this in npm test).',
      '#'.repeat(100),
      '',
    ].join('\n'),
  );
}

(chromiumInstalled() ? describe : describe.skip)('operator console in headless Chromium', () => {
  let stack: Awaited<ReturnType<typeof startConsoleStack>>;
  let dns: TestDnsServer;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  let scimToken: string;
  let tokenHint: string;
  const tenantName = `Fabrikam ${randomUUID().slice(0, 6)}`;
  const userName = `adele-${randomUUID().slice(0, 8)}@fabrikam.example`;

  const signIn = async () => {
    await page.getByLabel('Admin token').fill(stack.token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  };
  const storageText = async () =>
    JSON.stringify({
      local: await page.evaluate<string>('JSON.stringify({ ...localStorage })'),
      session: await page.evaluate<string>('JSON.stringify({ ...sessionStorage })'),
      cookies: await browser.context.cookies(),
    });
  const admin = (method: string, path: string, body?: unknown) =>
    http(stack.iam.url, method, path, { token: stack.token, tenantId, body });
  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const goTo = (link: string) =>
    page.getByRole('navigation', { name: 'Tenant' }).getByRole('link', { name: link }).click();
  const testConnection = async (token: string) => {
    await page.getByLabel('SCIM token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Test connection' }).click();
  };

  beforeAll(async () => {
    dns = await new TestDnsServer().start();
    stack = await startConsoleStack({ IAM_DNS_SERVERS: dns.servers, IAM_DNS_TIMEOUT_MS: '2000' });
    browser = await launchChromium();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.iam.url });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(10_000);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.gateway.close();
    await stack?.iam.close();
    await dns?.stop();
  });

  it('refuses a wrong admin token, then signs in with a platform token and lists tenants', async () => {
    await page.goto(`${stack.iam.url}/console/`);
    await page.getByLabel('Admin token').fill('iamadm_wrong');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(page.getByRole('alert'));
    expect(await page.getByRole('alert').textContent()).toContain('401');

    await page.getByLabel('Admin token').fill('');
    await signIn();
    await heading('Tenants').waitFor();
    await page.getByLabel('Display name').fill(tenantName);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByRole('link', { name: tenantName }).waitFor();
    await page.screenshot({ path: join(DOCS, 'console-tenants.png') });
    await page.getByRole('link', { name: tenantName }).click();
    await heading('Azure AD provider').waitFor();
    tenantId = /\/console\/t\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? '';
    expect(tenantId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('creates the Azure AD provider and shows the connector details to copy into Entra', async () => {
    await page.getByLabel('Scheme (lowercase, dashes)').fill('fabrikam-entra');
    await page.getByLabel('Display name').fill('Fabrikam Entra ID');
    await page.getByLabel('Application (client) id').fill('11111111-2222-3333-4444-555555555555');
    await page.getByLabel('Client secret').fill('very-secret-value');
    await page
      .getByLabel(/^Authority/)
      .fill('https://login.microsoftonline.com/fabrikam.onmicrosoft.com/v2.0');
    await page.getByRole('button', { name: 'Create provider' }).click();
    await page.getByRole('heading', { name: /Fabrikam Entra ID/ }).waitFor();
    const text = (await page.textContent('main')) ?? '';
    expect(text).toContain('stored (never shown)');
    expect(text).not.toContain('very-secret-value');
    // The connector's SCIM base URL, when this IAM gives connector details; else the redirect URIs.
    const provider = await http(stack.iam.url, 'GET', '/v1/sso/azuread/fabrikam-entra', {
      token: stack.token,
      tenantId,
    });
    expect(provider.status).toBe(200);
    if (provider.body.connector) {
      expect(text).toContain(`${stack.gateway.url}/${tenantId}/api/scim/v2`);
      await page.getByRole('button', { name: 'Copy Tenant URL (SCIM base URL)' }).click();
      expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(
        provider.body.connector.scimBaseUrl,
      );
    }
    await page.screenshot({ path: join(DOCS, 'console-provider.png'), fullPage: true });
  });

  it('creates a SCIM token and shows its value once, with a warning and a copy button', async () => {
    await goTo('SCIM tokens');
    await heading('SCIM tokens').waitFor();
    await page.getByRole('button', { name: 'Create token' }).click();
    const fresh = page.getByTestId('fresh-token');
    await fresh.waitFor();
    scimToken = (await fresh.textContent()) ?? '';
    expect(scimToken).toMatch(/^scim_/);
    tokenHint = scimToken.slice(-4);
    expect(await page.textContent('main')).toContain('shown only this once');
    await page.getByRole('button', { name: 'Copy the new SCIM token' }).click();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(scimToken);
    await page.getByRole('cell', { name: `…${tokenHint}`, exact: true }).waitFor();
    await page.screenshot({ path: join(DOCS, 'console-scim-token.png'), fullPage: true });
    expect(await storageText()).not.toContain(scimToken);
    expect(await storageText()).not.toContain(stack.token);
  });

  it('tests the connection like Entra: 200 with an empty ListResponse', async () => {
    // The field holds the token just created (memory only).
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expectText(page.getByTestId('test-status'), 'HTTP 200');
    const body = JSON.parse((await page.getByTestId('test-body').textContent()) ?? '{}');
    expect(body).toMatchObject({ totalResults: 0, Resources: [] });
    expect(await page.textContent('main')).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}\/api\/scim\/v2\/Users\?filter=userName%20eq%20%22/,
    );
    await page.screenshot({ path: join(DOCS, 'console-test-connection.png'), fullPage: true });
  });

  it('does not show the token again: not after navigating, not after a reload (which signs out)', async () => {
    await goTo('Subjects');
    await goTo('SCIM tokens');
    await page.getByRole('cell', { name: `…${tokenHint}`, exact: true }).waitFor();
    expect(await page.content()).not.toContain(scimToken);

    await page.reload();
    await page.getByLabel('Admin token').waitFor();
    expect(await page.content()).not.toContain(scimToken);
    await signIn();
    // Signed in again at the same page (the path survived the reload, the token did not).
    await page.getByRole('cell', { name: `…${tokenHint}`, exact: true }).waitFor();
    expect(await page.content()).not.toContain(scimToken);
    expect(await storageText()).not.toContain(stack.token);
  });

  it('creates a folder that SCIM can name by its externalId', async () => {
    await goTo('Folders');
    await heading('Folders').waitFor();
    await page.getByLabel('Folder name').fill('Finance');
    await page.getByLabel('Folder externalId (optional)').fill('FIN,01');
    await page.getByRole('button', { name: 'Create folder' }).click();
    // The browser refuses a comma before the API would (Entra splits folder values on commas).
    expect(await page.locator('#new-folder-external:invalid').count()).toBe(1);
    await page.getByLabel('Folder externalId (optional)').fill('FIN-01');
    await page.getByRole('button', { name: 'Create folder' }).click();
    await page.getByRole('cell', { name: 'FIN-01', exact: true }).waitFor();
    const folders = await admin('GET', '/v1/folders');
    expect(folders.body.items).toEqual([
      expect.objectContaining({ displayName: 'Finance', externalId: 'FIN-01' }),
    ]);
    await page.screenshot({ path: join(DOCS, 'console-folders.png'), fullPage: true });
  });

  it('sets the provisioning policy with the form; a refused value is named', async () => {
    await goTo('Settings');
    await heading('Settings').waitFor();
    await expectText(page.getByTestId('settings-state'), 'policy is off');
    await page.getByLabel(/^Default role/).selectOption('User');
    await page.getByLabel(/^Default userType/).selectOption('Standard');
    await page.getByLabel(/^Allowed metadata keys/).fill('costCenter\n9lives');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expectText(page.getByRole('alert'), 'allowedMetadataKeys');
    expect((await admin('GET', '/v1/provisioning/settings')).body.settingsOf).toBe('none');

    await page.getByLabel(/^Allowed metadata keys/).fill('');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expectText(page.getByTestId('settings-state'), 'version 1');
    expect((await admin('GET', '/v1/provisioning/settings')).body).toMatchObject({
      settingsOf: 'tenant',
      defaultRole: 'User',
      defaultUserType: 'Standard',
      requireVerifiedDomain: false,
      ignoreUnknownFolders: false,
      allowedMetadataKeys: null,
    });
    // The form shows what was saved.
    expect(await page.getByLabel(/^Default role/).inputValue()).toBe('User');
    await page.screenshot({ path: join(DOCS, 'console-settings.png'), fullPage: true });
  });

  it('finds a user that SCIM created, with its roles, userType and folders', async () => {
    const created = await http(stack.gateway.url, 'POST', `/${tenantId}/api/scim/v2/Users`, {
      token: scimToken,
      headers: { 'content-type': 'application/scim+json' },
      body: {
        schemas: [USER, FOLDERS],
        userName,
        externalId: 'adele',
        displayName: 'Adele Vance',
        active: true,
        [FOLDERS]: { folders: ['FIN-01'] },
      },
    });
    expect(created.status).toBe(201);
    await goTo('Subjects');
    // The admin API searches with SCIM filters: a bad one is refused naming filter.
    await page.getByLabel('SCIM filter').fill('userName zz "adele"');
    await page.getByRole('button', { name: 'Search' }).click();
    await expectText(page.getByRole('alert'), 'filter');
    await page
      .getByLabel('SCIM filter')
      .fill(`userName eq "${userName.toUpperCase()}" and userType eq "Standard"`);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1–1 of 1').waitFor();
    await page.getByRole('link', { name: userName }).click();
    await heading(userName).waitFor();
    const facts = page.getByTestId('subject-facts');
    await expectText(facts, 'Finance (FIN-01)');
    const text = (await facts.textContent()) ?? '';
    expect(text).toContain('Adele Vance');
    expect(text).toContain(created.body.id);
    expect(text).toContain('scim through fabrikam-entra');
    expect(text).toContain('managed by Entra ID (SCIM)');
    expect(text).toMatch(/RolesUser(?!,)/);
    expect(text).toContain('userTypeStandard');
    // Entra owns its account: the edit form offers the policy attributes only.
    await page.getByRole('heading', { name: 'Edit' }).waitFor();
    expect(await page.getByLabel('Display name').count()).toBe(0);
    await page.getByLabel('Admin', { exact: true }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expectText(facts, 'User, Admin');
    expect((await admin('GET', `/v1/subjects/${created.body.id}`)).body.roles).toEqual(['User', 'Admin']);
    // The operator's change is an event consumers get: newest first, naming the attribute.
    const events = page.getByRole('region', { name: 'Events' });
    await expectText(events.locator('summary').first(), 'subject.updated by admin: roles');
    expect(await events.locator('summary').last().textContent()).toContain('subject.created by scim');
    await page.screenshot({ path: join(DOCS, 'console-subject.png'), fullPage: true });
  });

  it('adds a domain, shows the TXT record to publish, and verifies it against DNS', async () => {
    await goTo('Domains');
    await heading('Verified domains').waitFor();
    await page.getByLabel('Domain to add').fill('Fabrikam.Example');
    await page.getByRole('button', { name: 'Add domain' }).click();
    const card = page.getByRole('region', { name: /fabrikam\.example/ });
    await expectText(card.getByTestId('domain-status'), 'pending');
    const { txtRecord } = (await admin('GET', '/v1/domains/fabrikam.example')).body;
    expect(txtRecord.name).toBe('_iam-verify.fabrikam.example');
    expect(await card.textContent()).toContain(txtRecord.value);
    await card.getByRole('button', { name: 'Copy TXT record value' }).click();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(txtRecord.value);

    // Not published yet: the check says what DNS answered, and the domain stays pending.
    await card.getByRole('button', { name: 'Verify fabrikam.example' }).click();
    await expectText(card.getByRole('alert'), 'NXDOMAIN');
    expect(await card.getByTestId('domain-status').textContent()).toBe('pending');
    await page.screenshot({ path: join(DOCS, 'console-domains.png'), fullPage: true });

    dns.txt.set(txtRecord.name, [txtRecord.value]);
    await card.getByRole('button', { name: 'Verify fabrikam.example' }).click();
    await expectText(card.getByTestId('domain-status'), 'verified');
    expect((await admin('GET', '/v1/domains/fabrikam.example')).body.status).toBe('verified');
  });

  it('creates a local built-in user with its invitation shown once, then deprovisions it', async () => {
    const local = `temp.contractor-${randomUUID().slice(0, 6)}@fabrikam.example`;
    await goTo('Subjects');
    await page.getByText('New local user').click();
    await page.getByLabel('userName', { exact: true }).fill(local);
    await page.getByLabel('Login method').selectOption('built-in');
    await page.getByRole('button', { name: 'Create user' }).click();
    const invitation = page.getByTestId('invitation-url');
    await invitation.waitFor();
    const url = (await invitation.textContent()) ?? '';
    expect(url).toMatch(/#.+/);
    expect(await page.textContent('main')).toContain('shown only this once');
    expect(await storageText()).not.toContain(url);

    await page.getByRole('link', { name: local }).first().click();
    await heading(local).waitFor();
    const id = /\/subjects\/([0-9a-f-]{36})$/.exec(page.url())?.[1];
    expect(id).toBeDefined();
    const facts = page.getByTestId('subject-facts');
    await expectText(facts, 'invitation pending');
    expect(await facts.textContent()).toMatch(/RolesUser.*userTypeStandard/);
    expect(await page.content()).not.toContain(url.split('#')[1]);

    await page.getByRole('button', { name: `Deprovision ${local}` }).click();
    await page.getByRole('button', { name: `Confirm deprovision ${local}` }).click();
    await heading('Subjects').waitFor();
    expect((await admin('GET', `/v1/subjects/${id}`)).status).toBe(404);
  });

  it('highlights a failed provisioning in the audit log, with a link to the subject', async () => {
    // Entra creating the same userName again: a 409 uniqueness refusal.
    const again = await http(stack.gateway.url, 'POST', `/${tenantId}/api/scim/v2/Users`, {
      token: scimToken,
      headers: { 'content-type': 'application/scim+json' },
      body: { schemas: [USER], userName, active: true },
    });
    expect(again.status).toBe(409);
    await goTo('Provisioning log');
    await heading('Provisioning log').waitFor();
    const refused = page.locator('tr.outcome-refused');
    await expectText(refused.first(), 'refused 409');
    expect(await refused.first().textContent()).toContain('uniqueness');
    const succeeded = page.locator('tbody tr:not(.outcome-refused):not(.outcome-failed)');
    await succeeded.getByRole('link', { name: userName }).first().waitFor();
    await page.screenshot({ path: join(DOCS, 'console-audit.png'), fullPage: true });

    await page.getByLabel('Outcome').selectOption('refused');
    await page.getByRole('button', { name: 'Apply' }).click();
    // Locators, not waitForFunction strings: the console's CSP forbids eval.
    await page.locator('tbody tr:not(.outcome-refused)').first().waitFor({ state: 'detached' });
    expect(await refused.count()).toBeGreaterThan(0);
  });

  it('revokes the token; Test connection then shows 401', async () => {
    await goTo('SCIM tokens');
    await page.getByRole('button', { name: `Revoke token …${tokenHint}` }).click();
    await page.getByRole('button', { name: `Confirm revoke …${tokenHint}` }).click();
    await page.getByRole('cell', { name: `…${tokenHint}`, exact: true }).waitFor({ state: 'detached' });
    await testConnection(scimToken);
    await expectText(page.getByTestId('test-status'), 'HTTP 401');
    expect(await page.getByTestId('test-body').textContent()).toContain('"status":"401"');
    expect(await storageText()).not.toContain(scimToken);
  });

  it('reads at phone width (390 px): no page-wide horizontal scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await goTo('Azure AD provider');
    await page.getByRole('heading', { name: /Fabrikam Entra ID/ }).waitFor();
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(DOCS, 'console-phone.png'), fullPage: true });
    // The new pages too (a page that scrolls sideways names itself).
    const overflows: Record<string, number> = {};
    for (const [link, title] of [
      ['Folders', 'Folders'],
      ['Domains', 'Verified domains'],
      ['Settings', 'Settings'],
      ['Subjects', 'Subjects'],
    ]) {
      await goTo(link);
      await heading(title).waitFor();
      overflows[link] = Math.max(0, await overflow());
    }
    expect(overflows).toEqual({ Folders: 0, Domains: 0, Settings: 0, Subjects: 0 });
    await goTo('Azure AD provider');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('is usable from the keyboard: sign in, focus on the page title, every control reachable', async () => {
    await page.reload();
    await page.getByLabel('Admin token').waitFor();
    await page.screenshot({ path: join(DOCS, 'console-sign-in.png') });
    const focused = () =>
      page.evaluate<string>("document.activeElement?.tagName + ' ' + document.activeElement?.textContent");
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('admin-token');
    await page.keyboard.type(stack.token);
    await page.keyboard.press('Enter');
    // The new page's title takes focus, so a screen reader announces it.
    await page.locator('h1:focus').waitFor();
    expect(await focused()).toBe('H1 Azure AD provider');
    const reached: string[] = [];
    for (let i = 0; i < 16; i++) {
      await page.keyboard.press('Shift+Tab');
      reached.push(await focused());
    }
    expect(reached).toEqual(
      expect.arrayContaining(['A SCIM tokens', 'A Provisioning log', 'BUTTON Sign out', 'A Skip to content']),
    );
  });
});

(chromiumInstalled() ? describe : describe.skip)(
  'console: sign-in with the tenant’s Entra ID, webhook deliveries',
  () => {
    let stack: Awaited<ReturnType<typeof startConsoleStack>>;
    let entra: FakeEntra;
    let browser: Browser;
    let page: Page;
    let tenantId: string;
    let scimToken: string;
    const received: string[] = [];
    const statuses = [500, 500];
    const hook = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(String(req.headers['x-iam-event-id']));
        res.statusCode = statuses.shift() ?? 200;
        res.end();
      });
    });
    const scimUser = (body: Record<string, unknown>) =>
      http(stack.gateway.url, 'POST', `/${tenantId}/api/scim/v2/Users`, {
        token: scimToken,
        headers: { 'content-type': 'application/scim+json' },
        body: { schemas: [USER], userName: `u-${randomUUID().slice(0, 8)}@fabrikam.example`, ...body },
      });

    beforeAll(async () => {
      stack = await startConsoleStack({ WEBHOOK_BACKOFF_MS: '50', WEBHOOK_ATTEMPTS: '2' });
      tenantId = await createTenant(stack.iam, stack.token, 'Entra sign-in tenant');
      entra = await new FakeEntra({ clientId: randomUUID(), clientSecret: 'entra-secret' }).start();
      const admin = { token: stack.token, tenantId };
      const provider = await http(stack.iam.url, 'POST', '/v1/sso/azuread', {
        ...admin,
        body: entra.providerBody('contoso', [`${stack.iam.url}/console/sign-in/entra`]),
      });
      expect(provider.status).toBe(201);
      scimToken = (
        await http(stack.iam.url, 'POST', '/v1/scim', {
          ...admin,
          body: { provider: 'contoso', providerDisplayName: 'Contoso' },
        })
      ).body.token;
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
      expect((await http(stack.iam.url, 'POST', '/v1/webhooks', { ...admin, body: { url } })).status).toBe(
        201,
      );
      browser = await launchChromium();
      page = browser.context.pages()[0] ?? (await browser.context.newPage());
      page.setDefaultTimeout(10_000);
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await new Promise((r) => hook.close(r));
      await entra?.stop();
      await stack?.gateway.close();
      await stack?.iam.close();
    });

    it('refuses a return to the redirect URI that this tab did not start', async () => {
      await page.goto(`${stack.iam.url}/console/sign-in/entra?code=stolen&state=x`);
      await expectText(page.getByRole('alert'), 'not started in this tab');
      expect(page.url()).toBe(`${stack.iam.url}/console/`);
    });

    it('signs an organization owner in through Entra; the token stays in memory, the code leaves the URL', async () => {
      const oid = randomUUID();
      expect((await scimUser({ externalId: oid, roles: [{ value: 'EnterpriseAdmin' }] })).status).toBe(201);
      entra.user = { oid, preferred_username: `owner-${oid}@fabrikam.example` };
      await page.goto(`${stack.iam.url}/console/`);
      await page.getByLabel('Tenant id').fill(tenantId);
      await page.getByLabel('Provider scheme').fill('contoso');
      await page.getByRole('button', { name: 'Sign in with Entra ID' }).click();
      await page.getByRole('heading', { level: 1, name: 'Azure AD provider' }).waitFor();
      expect(page.url()).not.toContain('code=');
      expect(await page.evaluate<string>('JSON.stringify({ ...localStorage, ...sessionStorage })')).toBe(
        '{}',
      );
      expect(await browser.context.cookies(stack.iam.url)).toEqual([]);
    });

    it('lists a webhook’s deliveries and redelivers a dead letter', async () => {
      expect((await scimUser({})).status).toBe(201);
      await page.getByRole('navigation', { name: 'Tenant' }).getByRole('link', { name: 'Webhooks' }).click();
      const redeliver = page.getByRole('button', { name: /^Redeliver/ });
      for (let i = 0; i < 50 && !(await redeliver.isVisible()); i++) {
        await page.waitForTimeout(200);
        await page
          .getByRole('navigation', { name: 'Tenant' })
          .getByRole('link', { name: 'Settings' })
          .click();
        await page
          .getByRole('navigation', { name: 'Tenant' })
          .getByRole('link', { name: 'Webhooks' })
          .click();
      }
      await expectVisible(page.getByRole('cell', { name: 'the subscriber answered 500' }).first());
      const before = received.length;
      await redeliver.click();
      await expectText(page.getByRole('listitem'), 'Redelivered');
      await expectVisible(page.getByRole('cell', { name: '200', exact: true }).first());
      // One more request, for the event that failed twice.
      await eventually(() => received.length === before + 1);
      expect(received.filter((id) => id === received[before])).toHaveLength(3);
      await page.screenshot({ path: join(DOCS, 'console-webhooks.png'), fullPage: true });
    }, 90_000); // waits for two failed attempts and a dead letter, then the redelivery
  },
);

async function expectVisible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible' });
}

async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor();
}

/** A loopback port nobody listens on (just released by the OS). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
