import { FormEvent, useState } from 'react';
import { Provider, seg } from '../api';
import type { TenantPageProps } from '../App';
import { CopyField, ErrorText, formatDate, PageTitle, useAction, useLoad } from '../ui';

export function ProviderPage(props: TenantPageProps) {
  const { api } = props.session;
  const { tenant } = props;
  const providers = useLoad(async () => {
    const list = await api.get<Provider[]>('/v1/sso/azuread', { tenant });
    // The single-provider read carries the connector details (when the API has them).
    return Promise.all(list.map((p) => api.get<Provider>(`/v1/sso/azuread/${seg(p.scheme)}`, { tenant })));
  }, [api, tenant]);
  const [editing, setEditing] = useState<string>();

  return (
    <>
      <PageTitle>Azure AD provider</PageTitle>
      <ErrorText error={providers.error} />
      {providers.data?.length === 0 && (
        <p>No provider yet: register the Entra app below (step 1 of the setup).</p>
      )}
      {providers.data?.map((provider) => (
        <section key={provider.scheme} className="card" aria-labelledby={`provider-${provider.scheme}`}>
          <h2 id={`provider-${provider.scheme}`}>
            {provider.displayName} <code>{provider.scheme}</code>
            {!provider.enabled && <span className="badge warn">disabled</span>}
          </h2>
          <Connector provider={provider} />
          <dl className="facts">
            <dt>Client id</dt>
            <dd>
              <code>{provider.properties.clientId}</code>
            </dd>
            <dt>Client secret</dt>
            <dd>{provider.properties.hasClientSecret ? 'stored (never shown)' : 'none (public client)'}</dd>
            <dt>Authority</dt>
            <dd>
              <code>{provider.properties.authority}</code>
            </dd>
            <dt>Sign-in</dt>
            <dd>
              {provider.properties.loginEnabled ? 'enabled' : 'disabled'}, PKCE{' '}
              {provider.properties.usePkce ? 'on' : 'off'}, just-in-time users{' '}
              {provider.properties.autoProvisioningEnabled ? 'on' : 'off'}
            </dd>
            <dt>Updated</dt>
            <dd>{formatDate(provider.updatedAt)}</dd>
          </dl>
          {editing === provider.scheme ? (
            <ProviderForm
              {...props}
              existing={provider}
              onDone={() => {
                setEditing(undefined);
                providers.reload();
              }}
            />
          ) : (
            <button type="button" onClick={() => setEditing(provider.scheme)}>
              Edit {provider.displayName}
            </button>
          )}
        </section>
      ))}
      <details className="card" open={providers.data?.length === 0}>
        <summary>Add a provider</summary>
        <ProviderForm {...props} onDone={providers.reload} />
      </details>
    </>
  );
}

/** What the customer copies into Entra, each with a copy button. */
function Connector(props: { provider: Provider }) {
  const { connector, properties } = props.provider;
  const fields: Array<[string, string]> = connector
    ? [
        ['Tenant URL (SCIM base URL)', connector.scimBaseUrl],
        ['Redirect URI (Web)', connector.redirectUris.web],
        ...connector.redirectUris.mobileAndDesktop.map((uri): [string, string] => [
          'Redirect URI (Mobile and desktop)',
          uri,
        ]),
      ]
    : properties.redirectUris.map((uri): [string, string] => ['Redirect URI', uri]);
  return (
    <div className="connector">
      <h3>Connector details for Entra</h3>
      {fields.length === 0 && <p>No redirect URIs registered yet.</p>}
      {fields.map(([label, value]) => (
        <CopyField key={`${label}:${value}`} label={label} value={value} />
      ))}
      {connector && !properties.redirectUris.includes(connector.redirectUris.web) && (
        <p className="hint">
          Sign-in accepts the Web redirect URI once it is also listed under the provider’s redirect URIs.
        </p>
      )}
    </div>
  );
}

function ProviderForm(props: TenantPageProps & { existing?: Provider; onDone: () => void }) {
  const { api } = props.session;
  const existing = props.existing;
  const p = existing?.properties;
  const prefix = existing ? `edit-${existing.scheme}` : 'new-provider';
  const [form, setForm] = useState({
    scheme: existing?.scheme ?? '',
    displayName: existing?.displayName ?? '',
    enabled: existing?.enabled ?? true,
    clientId: p?.clientId ?? '',
    clientSecret: '',
    authority: p?.authority ?? '',
    scope: p?.scope ?? 'openid profile email',
    usePkce: p?.usePkce ?? true,
    loginEnabled: p?.loginEnabled ?? true,
    visible: p?.visible ?? true,
    autoProvisioningEnabled: p?.autoProvisioningEnabled ?? false,
    redirectUris: (p?.redirectUris ?? []).join('\n'),
  });
  const save = useAction();
  const set = (key: keyof typeof form, value: string | boolean) => setForm({ ...form, [key]: value });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run(async () => {
      const body = {
        ...(existing ? {} : { scheme: form.scheme }),
        displayName: form.displayName,
        enabled: form.enabled,
        type: 'oidc',
        properties: {
          clientId: form.clientId,
          // Write-only: sent only when typed; PUT keeps the stored secret when it is omitted.
          ...(form.clientSecret ? { clientSecret: form.clientSecret } : {}),
          authority: form.authority,
          scope: form.scope,
          responseType: p?.responseType ?? 'code',
          usePkce: form.usePkce,
          loginEnabled: form.loginEnabled,
          visible: form.visible,
          autoProvisioningEnabled: form.autoProvisioningEnabled,
          delegationEnabled: p?.delegationEnabled ?? false,
          redirectUris: form.redirectUris
            .split('\n')
            .map((uri) => uri.trim())
            .filter(Boolean),
        },
      };
      if (existing) await api.put(`/v1/sso/azuread/${seg(existing.scheme)}`, { tenant: props.tenant, body });
      else await api.post('/v1/sso/azuread', { tenant: props.tenant, body });
      props.onDone();
    });
  };

  const text = (key: keyof typeof form, label: string, extra: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`${prefix}-${key}`}>{label}</label>
      <input
        id={`${prefix}-${key}`}
        value={form[key] as string}
        onChange={(event) => set(key, event.target.value)}
        {...extra}
      />
    </div>
  );
  const check = (key: keyof typeof form, label: string) => (
    <div className="check">
      <input
        id={`${prefix}-${key}`}
        type="checkbox"
        checked={form[key] as boolean}
        onChange={(event) => set(key, event.target.checked)}
      />
      <label htmlFor={`${prefix}-${key}`}>{label}</label>
    </div>
  );

  return (
    <form onSubmit={submit} className="stacked">
      {!existing && text('scheme', 'Scheme (lowercase, dashes)', { required: true, pattern: '[a-z0-9-]+' })}
      {text('displayName', 'Display name', { required: true })}
      {text('clientId', 'Application (client) id', { required: true })}
      {text(
        'clientSecret',
        existing?.properties.hasClientSecret
          ? 'New client secret (empty keeps the stored one)'
          : 'Client secret',
        {
          type: 'password',
          autoComplete: 'off',
        },
      )}
      {text('authority', 'Authority (https://login.microsoftonline.com/{tenant}/v2.0)', {
        required: true,
        type: 'url',
      })}
      {text('scope', 'Scope', { required: true })}
      <div className="field">
        <label htmlFor={`${prefix}-redirectUris`}>Redirect URIs (one per line)</label>
        <textarea
          id={`${prefix}-redirectUris`}
          rows={3}
          value={form.redirectUris}
          onChange={(event) => set('redirectUris', event.target.value)}
        />
      </div>
      {check('enabled', 'Provider enabled')}
      {check('usePkce', 'Use PKCE')}
      {check('loginEnabled', 'Sign-in enabled')}
      {check('visible', 'Shown on the login page')}
      {check('autoProvisioningEnabled', 'Create unknown users at sign-in (just in time)')}
      <div className="actions">
        <button type="submit" disabled={save.busy}>
          {existing ? 'Save provider' : 'Create provider'}
        </button>
      </div>
      <ErrorText error={save.error} />
    </form>
  );
}
