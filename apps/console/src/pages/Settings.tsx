import { FormEvent, useState } from 'react';
import { Provider, ProvisioningSettings, ROLE_VALUES, USER_TYPES } from '../api';
import type { TenantPageProps } from '../App';
import { ConfirmButton, ErrorText, formatDate, PageTitle, useAction, useLoad } from '../ui';

/** What a save sends: PUT replaces the whole scope, so every field is sent. */
interface SettingsForm {
  defaultRole: string;
  defaultUserType: string;
  requireVerifiedDomain: boolean;
  ignoreUnknownFolders: boolean;
  /** One key a line; empty: any key. */
  allowedMetadataKeys: string;
}

function formOf(s: ProvisioningSettings): SettingsForm {
  return {
    defaultRole: s.defaultRole ?? '',
    defaultUserType: s.defaultUserType ?? '',
    requireVerifiedDomain: s.requireVerifiedDomain,
    ignoreUnknownFolders: s.ignoreUnknownFolders,
    allowedMetadataKeys: (s.allowedMetadataKeys ?? []).join('\n'),
  };
}

/** The tenant's provisioning policy, or one Azure AD provider's override of it. */
export function SettingsPage(props: TenantPageProps) {
  const { api } = props.session;
  const { tenant } = props;
  const providers = useLoad(() => api.get<Provider[]>('/v1/sso/azuread', { tenant }), [api, tenant]);
  // '' is the tenant's own settings; a scheme is that provider's override.
  const [scope, setScope] = useState('');
  const settings = useLoad(
    () =>
      api.get<ProvisioningSettings>('/v1/provisioning/settings', {
        tenant,
        query: { provider: scope || undefined },
      }),
    [api, tenant, scope],
  );
  return (
    <>
      <PageTitle>Settings</PageTitle>
      <p className="hint">
        How Entra’s users land in this tenant. Saving turns the policy on; from then on every user needs a
        userType (sent by Entra or the default here).
      </p>
      <div className="inline-form">
        <label htmlFor="settings-scope">Settings of</label>
        <select id="settings-scope" value={scope} onChange={(e) => setScope(e.target.value)}>
          <option value="">the tenant (every provider)</option>
          {providers.data?.map((p) => (
            <option key={p.scheme} value={p.scheme}>
              provider {p.displayName} ({p.scheme}) only
            </option>
          ))}
        </select>
      </div>
      <ErrorText error={settings.error ?? providers.error} />
      {settings.data && (
        // Keyed by what was loaded, so the form starts from the saved values after every load.
        <SettingsEditor
          key={`${scope}/${settings.data.settingsOf}/${settings.data.version}`}
          {...props}
          scope={scope}
          settings={settings.data}
          onSaved={settings.reload}
        />
      )}
    </>
  );
}

function SettingsEditor(
  props: TenantPageProps & { scope: string; settings: ProvisioningSettings; onSaved: () => void },
) {
  const { api } = props.session;
  const { tenant, scope, settings } = props;
  const [form, setForm] = useState(() => formOf(settings));
  const save = useAction();
  const query = { provider: scope || undefined };
  // A provider without an override shows the tenant's settings it follows.
  const own = scope ? settings.settingsOf === 'provider' : settings.settingsOf === 'tenant';
  const set = <K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const keys = form.allowedMetadataKeys
      .split(/[\s,]+/)
      .map((k) => k.trim())
      .filter(Boolean);
    void save.run(async () => {
      await api.put('/v1/provisioning/settings', {
        tenant,
        query,
        body: {
          defaultRole: form.defaultRole || null,
          defaultUserType: form.defaultUserType || null,
          requireVerifiedDomain: form.requireVerifiedDomain,
          ignoreUnknownFolders: form.ignoreUnknownFolders,
          allowedMetadataKeys: keys.length ? keys : null,
        },
      });
      props.onSaved();
    });
  };

  return (
    <form onSubmit={submit} className="card stacked" aria-labelledby="settings-state">
      <p id="settings-state" data-testid="settings-state">
        {settingsState(scope, settings)}
      </p>
      <div className="field">
        <label htmlFor="default-role">Default role (when Entra sends none)</label>
        <select
          id="default-role"
          value={form.defaultRole}
          onChange={(e) => set('defaultRole', e.target.value)}
        >
          <option value="">none</option>
          {ROLE_VALUES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="default-user-type">Default userType (when Entra sends none)</label>
        <select
          id="default-user-type"
          value={form.defaultUserType}
          onChange={(e) => set('defaultUserType', e.target.value)}
        >
          <option value="">none: refuse a user without userType</option>
          {USER_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </div>
      <div className="check">
        <input
          id="require-verified-domain"
          type="checkbox"
          checked={form.requireVerifiedDomain}
          onChange={(e) => set('requireVerifiedDomain', e.target.checked)}
        />
        <label htmlFor="require-verified-domain">
          Require a verified domain (SCIM creates and updates only users of verified domains)
        </label>
      </div>
      <div className="check">
        <input
          id="ignore-unknown-folders"
          type="checkbox"
          checked={form.ignoreUnknownFolders}
          onChange={(e) => set('ignoreUnknownFolders', e.target.checked)}
        />
        <label htmlFor="ignore-unknown-folders">
          Ignore unknown folders (skip and record them instead of refusing the user)
        </label>
      </div>
      <div className="field">
        <label htmlFor="allowed-metadata-keys">Allowed metadata keys (one a line; empty: any key)</label>
        <textarea
          id="allowed-metadata-keys"
          rows={4}
          spellCheck={false}
          value={form.allowedMetadataKeys}
          onChange={(e) => set('allowedMetadataKeys', e.target.value)}
        />
      </div>
      <div className="actions row-actions">
        <button type="submit" disabled={save.busy}>
          {scope && !own ? 'Save override' : 'Save settings'}
        </button>
        {own && (
          <ConfirmButton
            label={scope ? 'Remove override' : 'Turn policy off'}
            confirmLabel={scope ? 'Confirm: follow the tenant’s settings' : 'Confirm: remove the settings'}
            busy={save.busy}
            onConfirm={() =>
              void save.run(async () => {
                await api.delete('/v1/provisioning/settings', { tenant, query });
                props.onSaved();
              })
            }
          />
        )}
      </div>
      <ErrorText error={save.error} />
    </form>
  );
}

function settingsState(scope: string, s: ProvisioningSettings): string {
  const saved = `version ${s.version}, saved ${formatDate(s.updatedAt)}${s.updatedBy ? ` by ${s.updatedBy}` : ''}`;
  if (s.settingsOf === 'none') return 'No settings saved: the policy is off (defaults shown).';
  if (scope && s.settingsOf === 'tenant')
    return `No override: this provider follows the tenant’s settings (${saved}). Saving creates an override.`;
  return `Saved settings, ${saved}.`;
}
