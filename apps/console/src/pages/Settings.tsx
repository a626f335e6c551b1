import { FormEvent, useEffect, useState } from 'react';
import type { TenantPageProps } from '../App';
import { ErrorText, PageTitle, useAction, useLoad } from '../ui';
import { optional } from './Directory';

/** Fields the API reports about the settings rather than settings themselves (not sent back on PUT). */
const READ_ONLY = new Set(['provider', 'version', 'updatedAt', 'updatedBy']);

/**
 * The tenant's provisioning policy, edited as the JSON document the API takes, so the console keeps
 * up with new settings without a release.
 */
export function SettingsPage(props: TenantPageProps) {
  const { api } = props.session;
  const { tenant } = props;
  const settings = useLoad(
    () => optional(api.get<Record<string, unknown>>('/v1/provisioning/settings', { tenant })),
    [api, tenant],
  );
  const [text, setText] = useState('');
  const save = useAction();
  useEffect(() => {
    if (!settings.data) return;
    const editable = Object.fromEntries(Object.entries(settings.data).filter(([key]) => !READ_ONLY.has(key)));
    setText(JSON.stringify(editable, null, 2));
  }, [settings.data]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run(async () => {
      await api.put('/v1/provisioning/settings', { tenant, body: JSON.parse(text) as unknown });
      settings.reload();
    });
  };

  return (
    <>
      <PageTitle>Settings</PageTitle>
      <ErrorText error={settings.error} />
      {!settings.loading && !settings.error && !settings.data && (
        <p>This IAM has no tenant provisioning settings yet.</p>
      )}
      {settings.data && (
        <form onSubmit={submit} className="stacked">
          <p className="hint">
            Version {String(settings.data.version ?? '—')}. PUT replaces the whole document: what you remove
            takes its default.
          </p>
          <div className="field">
            <label htmlFor="settings-json">Provisioning settings (JSON)</label>
            <textarea
              id="settings-json"
              rows={12}
              spellCheck={false}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </div>
          <div className="actions">
            <button type="submit" disabled={save.busy}>
              Save settings
            </button>
          </div>
          <ErrorText error={save.error} />
        </form>
      )}
    </>
  );
}
