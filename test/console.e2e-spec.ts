import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import {
  createTenant,
  http,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  RunningApp,
  seedProviderBody,
  startIamAdmin,
  startScimGateway,
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

/** IAM (serving the console, SCIM_PUBLIC_URL = this gateway) and the gateway on one queue prefix. */
async function startConsoleStack(): Promise<{ iam: RunningApp; gateway: RunningApp; token: string }> {
  const QUEUE_PREFIX = uniqueQueuePrefix();
  const gateway = await startScimGateway({ QUEUE_PREFIX, SCIM_TOKEN_CACHE_TTL_MS: '60000' });
  const iam = await startIamAdmin({ QUEUE_PREFIX, SCIM_PUBLIC_URL: gateway.url });
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
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  let scimToken: string;
  let tokenHint: string;
  const tenantName = `Fabrikam ${randomUUID().slice(0, 6)}`;
  const userName = `adele-${randomUUID().slice(0, 8)}@fabrikam.example`;

  const signIn = async () => {
    await page.getByLabel('Admin token').fill(stack.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const storageText = async () =>
    JSON.stringify({
      local: await page.evaluate<string>('JSON.stringify({ ...localStorage })'),
      session: await page.evaluate<string>('JSON.stringify({ ...sessionStorage })'),
      cookies: await browser.context.cookies(),
    });
  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const goTo = (link: string) =>
    page.getByRole('navigation', { name: 'Tenant' }).getByRole('link', { name: link }).click();
  const testConnection = async (token: string) => {
    await page.getByLabel('SCIM token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Test connection' }).click();
  };

  beforeAll(async () => {
    stack = await startConsoleStack();
    browser = await launchChromium();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.iam.url });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(10_000);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.gateway.close();
    await stack?.iam.close();
  });

  it('refuses a wrong admin token, then signs in with a platform token and lists tenants', async () => {
    await page.goto(`${stack.iam.url}/console/`);
    await page.getByLabel('Admin token').fill('iamadm_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
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

  it('finds a user that SCIM created, with its detail', async () => {
    const created = await http(stack.gateway.url, 'POST', `/${tenantId}/api/scim/v2/Users`, {
      token: scimToken,
      headers: { 'content-type': 'application/scim+json' },
      body: { schemas: [USER], userName, externalId: 'adele', displayName: 'Adele Vance', active: true },
    });
    expect(created.status).toBe(201);
    await goTo('Subjects');
    await page.getByLabel(/^Filter this page/).fill('adele');
    await page.getByRole('link', { name: userName }).click();
    await heading(userName).waitFor();
    const text = (await page.textContent('main')) ?? '';
    expect(text).toContain('Adele Vance');
    expect(text).toContain(created.body.id);
    expect(text).toContain('scim through fabrikam-entra');
    await page.screenshot({ path: join(DOCS, 'console-subject.png'), fullPage: true });
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
    await succeeded.first().getByRole('link', { name: userName }).waitFor();
    await page.screenshot({ path: join(DOCS, 'console-audit.png'), fullPage: true });

    await page.getByLabel('Outcome').selectOption('refused');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction("document.querySelectorAll('tbody tr:not(.outcome-refused)').length === 0");
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
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(DOCS, 'console-phone.png'), fullPage: true });
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
    await page.waitForFunction("document.activeElement?.tagName === 'H1'");
    expect(await focused()).toBe('H1 Azure AD provider');
    const reached: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Shift+Tab');
      reached.push(await focused());
    }
    expect(reached).toEqual(
      expect.arrayContaining(['A SCIM tokens', 'A Provisioning log', 'BUTTON Sign out', 'A Skip to content']),
    );
  });
});

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
