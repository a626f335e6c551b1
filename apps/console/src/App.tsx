import { FormEvent, useEffect, useState } from 'react';
import { Api, ApiError, createApi, OWN_TENANT, Tenant } from './api';
import { consoleRedirectUri, finishEntraSignIn, startEntraSignIn } from './entra-sign-in';
import { AuditPage } from './pages/Audit';
import { DomainsPage } from './pages/Domains';
import { FoldersPage } from './pages/Folders';
import { GroupPage, GroupsPage, SubjectPage, SubjectsPage } from './pages/Directory';
import { ProviderPage } from './pages/Provider';
import { ScimTokensPage } from './pages/ScimTokens';
import { SettingsPage } from './pages/Settings';
import { TenantsPage } from './pages/Tenants';
import { WebhooksPage } from './pages/Webhooks';
import { navigate, usePath } from './router';
import { ErrorText, Link, useAction, useLoad } from './ui';

export interface Session {
  api: Api;
  /** A platform token manages tenants and picks the tenant; a tenant-bound one acts on its own. */
  platform: boolean;
}

export interface TenantPageProps {
  session: Session;
  tenant: string;
}

const SECTIONS = [
  ['provider', 'Azure AD provider'],
  ['tokens', 'SCIM tokens'],
  ['subjects', 'Subjects'],
  ['groups', 'Groups'],
  ['folders', 'Folders'],
  ['domains', 'Domains'],
  ['audit', 'Provisioning log'],
  ['webhooks', 'Webhooks'],
  ['settings', 'Settings'],
] as const;

export function App() {
  const [session, setSession] = useState<Session>();
  const path = usePath();
  if (!session) return <SignIn onSignedIn={setSession} />;
  return <Shell session={session} path={path} onSignOut={() => setSession(undefined)} />;
}

// Once per page load (StrictMode runs effects twice in development): a code is redeemed only once.
let entraReturn: Promise<string | undefined> | undefined;

function SignIn(props: { onSignedIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [entraTenant, setEntraTenant] = useState('');
  const [scheme, setScheme] = useState('');
  const { busy, error, run } = useAction();
  const entra = useAction();
  const { onSignedIn } = props;
  useEffect(() => {
    entraReturn ??= finishEntraSignIn();
    void entra.run(async () => {
      const accessToken = await entraReturn;
      entraReturn = undefined;
      // IAM's token of an organization owner acts on its own tenant only.
      if (accessToken) onSignedIn({ api: createApi(accessToken), platform: false });
    });
    // Once: on the redirect URI, the sign-in's return.
  }, []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const api = createApi(token.trim());
      onSignedIn({ api, platform: await isPlatformToken(api) });
    });
  };
  const submitEntra = (event: FormEvent) => {
    event.preventDefault();
    void entra.run(() => startEntraSignIn(entraTenant.trim(), scheme.trim()));
  };
  return (
    <main className="sign-in">
      <h1>IAM operator console</h1>
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <label htmlFor="admin-token">Admin token</label>
        <input
          id="admin-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={token}
          onChange={(event) => setToken(event.target.value)}
        />
        <p id="sign-in-help" className="hint">
          An <code>iamadm_…</code> token or an admin JWT. It is kept in this tab’s memory only: reloading or
          closing the tab signs you out.
        </p>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <ErrorText error={error} />
      </form>
      <form onSubmit={submitEntra} aria-labelledby="entra-sign-in" aria-describedby="entra-sign-in-help">
        <h2 id="entra-sign-in">Sign in with Entra ID</h2>
        <label htmlFor="entra-tenant">Tenant id</label>
        <input
          id="entra-tenant"
          required
          spellCheck={false}
          value={entraTenant}
          onChange={(event) => setEntraTenant(event.target.value)}
        />
        <label htmlFor="entra-scheme">Provider scheme</label>
        <input
          id="entra-scheme"
          required
          spellCheck={false}
          value={scheme}
          onChange={(event) => setScheme(event.target.value)}
        />
        <p id="entra-sign-in-help" className="hint">
          For the tenant’s organization owners (EnterpriseAdmin). The provider must list{' '}
          <code>{consoleRedirectUri()}</code> among its redirect URIs.
        </p>
        <button type="submit" disabled={entra.busy}>
          Sign in with Entra ID
        </button>
        <ErrorText error={entra.error} />
      </form>
    </main>
  );
}

/** Platform tokens may list tenants; a tenant-bound token gets 403 there and 200 on its own tenant. */
async function isPlatformToken(api: Api): Promise<boolean> {
  try {
    await api.get('/v1/tenants');
    return true;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
    await api.get('/v1/sso/azuread');
    return false;
  }
}

function Shell(props: { session: Session; path: string; onSignOut: () => void }) {
  const { session, path } = props;
  const [, first, tenant, section = 'provider', id] = path.split('/');
  const home = session.platform ? '/tenants' : `/t/${OWN_TENANT}/provider`;
  useEffect(() => {
    if (path === '/' || (first === 't' && !tenant)) navigate(home);
  }, [path, first, tenant, home]);
  const inTenant = first === 't' && tenant;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span className="brand">IAM console</span>
        {session.platform && (
          <TenantPicker session={session} tenant={inTenant ? tenant : ''} section={section} />
        )}
        <button type="button" className="secondary" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      {inTenant && (
        <nav aria-label="Tenant">
          <ul>
            {SECTIONS.map(([key, label]) => (
              <li key={key}>
                <Link to={`/t/${tenant}/${key}`} current={section === key}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main">
        {first === 'tenants' && session.platform ? (
          <TenantsPage session={session} />
        ) : inTenant ? (
          <TenantSection session={session} tenant={tenant} section={section} id={id} />
        ) : (
          <p>Nothing here. {<Link to={home}>Start over</Link>}</p>
        )}
      </main>
    </>
  );
}

function TenantSection(props: TenantPageProps & { section: string; id?: string }) {
  const { section, id, ...page } = props;
  // Keyed by tenant and id so a switch of tenant starts every page afresh.
  const key = `${page.tenant}/${id ?? ''}`;
  switch (section) {
    case 'provider':
      return <ProviderPage key={key} {...page} />;
    case 'tokens':
      return <ScimTokensPage key={key} {...page} />;
    case 'subjects':
      return id ? <SubjectPage key={key} {...page} id={id} /> : <SubjectsPage key={key} {...page} />;
    case 'groups':
      return id ? <GroupPage key={key} {...page} id={id} /> : <GroupsPage key={key} {...page} />;
    case 'folders':
      return <FoldersPage key={key} {...page} />;
    case 'domains':
      return <DomainsPage key={key} {...page} />;
    case 'audit':
      return <AuditPage key={key} {...page} />;
    case 'webhooks':
      return <WebhooksPage key={key} {...page} />;
    case 'settings':
      return <SettingsPage key={key} {...page} />;
    default:
      return <p>Unknown page.</p>;
  }
}

function TenantPicker(props: { session: Session; tenant: string; section: string }) {
  // Loaded again on a switch of tenant, so one created a moment ago is there to pick.
  const tenants = useLoad(
    () => props.session.api.get<Tenant[]>('/v1/tenants'),
    [props.session, props.tenant],
  );
  return (
    <div className="tenant-picker">
      <label htmlFor="tenant-picker">Tenant</label>
      <select
        id="tenant-picker"
        value={props.tenant}
        onChange={(event) =>
          navigate(event.target.value ? `/t/${event.target.value}/${props.section}` : '/tenants')
        }
      >
        <option value="">All tenants…</option>
        {tenants.data?.map((t) => (
          <option key={t.id} value={t.id}>
            {t.displayName}
            {t.enabled ? '' : ' (disabled)'}
          </option>
        ))}
      </select>
    </div>
  );
}
