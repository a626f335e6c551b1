import { FormEvent, useState } from 'react';
import { Page, ProvisioningDeadLetter, seg, Webhook, WebhookDeadLetter, WebhookDelivery } from '../api';
import type { TenantPageProps } from '../App';
import { DataTable, ErrorText, formatDate, PageTitle, ShownOnce, useAction, useLoad } from '../ui';

export function WebhooksPage(props: TenantPageProps) {
  const { api } = props.session;
  const { tenant } = props;
  const hooks = useLoad(() => api.get<Webhook[]>('/v1/webhooks', { tenant }), [api, tenant]);
  const commands = useLoad(
    () =>
      api.get<Page<ProvisioningDeadLetter>>('/v1/provisioning/dead-letters', {
        tenant,
        query: { limit: 50 },
      }),
    [api, tenant],
  );
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState<string>();
  const action = useAction();
  const resolve = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const created = await api.post<Webhook & { secret: string }>('/v1/webhooks', { tenant, body: { url } });
      setSecret(created.secret);
      setUrl('');
      hooks.reload();
    });
  };

  return (
    <>
      <PageTitle>Webhooks</PageTitle>
      <ErrorText error={hooks.error ?? action.error} />
      {secret && (
        <ShownOnce
          title="Webhook signing secret"
          warning="Copy it now: it signs every delivery and is shown only this once."
          value={secret}
          label="the signing secret"
          onDismiss={() => setSecret(undefined)}
        />
      )}
      {hooks.data?.length === 0 && <p>No webhooks.</p>}
      {hooks.data?.map((hook) => (
        <WebhookCard key={hook.id} {...props} hook={hook} onDeleted={hooks.reload} />
      ))}
      <form onSubmit={submit} className="card inline-form">
        <label htmlFor="webhook-url">New webhook URL</label>
        <input id="webhook-url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
        <button type="submit" disabled={action.busy}>
          Add webhook
        </button>
      </form>
      <h2>Provisioning dead letters</h2>
      <p className="hint">
        Commands that kept failing for an unknown reason and were set aside (the SCIM client got a 500).
      </p>
      <ErrorText error={commands.error} />
      {commands.data?.items.length === 0 && <p>None.</p>}
      <p className="hint">
        They cannot be retried (the command is not kept, and its outcome is final): fix the cause, let Entra
        send the change again (its next cycle, or Provision on demand), then mark the letter resolved.
      </p>
      <ErrorText error={resolve.error} />
      <ul>
        {commands.data?.items.map((d) => (
          <li key={d.id} className={d.resolvedAt ? undefined : 'outcome-failed'}>
            {formatDate(d.createdAt)} <code>{d.command}</code> {d.targetId && <code>{d.targetId}</code>} after{' '}
            {d.attempts} attempts: {d.error} <span className="hint">(correlation id {d.id})</span>{' '}
            {d.resolvedAt ? (
              <span>
                Resolved {formatDate(d.resolvedAt)} by <code>{d.resolvedBy}</code>
              </span>
            ) : (
              <button
                type="button"
                className="secondary"
                disabled={resolve.busy}
                onClick={() =>
                  void resolve.run(async () => {
                    await api.post(`/v1/provisioning/dead-letters/${seg(d.id)}/resolve`, { tenant });
                    commands.reload();
                  })
                }
              >
                Mark resolved<span className="visually-hidden"> {d.id}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

function WebhookCard(props: TenantPageProps & { hook: Webhook; onDeleted: () => void }) {
  const { api } = props.session;
  const { tenant, hook } = props;
  const dead = useLoad(
    () =>
      api.get<WebhookDeadLetter[]>(`/v1/webhooks/${seg(hook.id)}/dead-letters`, {
        tenant,
        query: { limit: 50 },
      }),
    [api, tenant, hook.id],
  );
  const deliveries = useLoad(
    () =>
      api.get<WebhookDelivery[]>(`/v1/webhooks/${seg(hook.id)}/deliveries`, {
        tenant,
        query: { limit: 20 },
      }),
    [api, tenant, hook.id],
  );
  const remove = useAction();
  const redeliver = useAction();
  return (
    <section className="card" aria-label={`Webhook ${hook.url}`}>
      <h2>
        <code>{hook.url}</code>
      </h2>
      <p>
        Events: {hook.eventTypes.length ? hook.eventTypes.join(', ') : 'all'} · since{' '}
        {formatDate(hook.createdAt)}
      </p>
      <h3>Recent deliveries</h3>
      <ErrorText error={deliveries.error} />
      {deliveries.data?.length === 0 && <p>None yet.</p>}
      {!!deliveries.data?.length && (
        <DataTable
          caption={`Delivery attempts to ${hook.url}, newest first`}
          columns={['At', 'Event', 'Attempt', 'Answer', 'Duration']}
        >
          {deliveries.data.map((d, i) => (
            <tr key={`${d.eventId}-${d.attempt}-${i}`} className={d.error ? 'outcome-failed' : undefined}>
              <td>{formatDate(d.at)}</td>
              <td>
                <code>{d.eventType}</code> <span className="hint">{d.eventId}</span>
              </td>
              <td>{d.attempt}</td>
              <td>{d.error ?? d.statusCode}</td>
              <td>{d.durationMs} ms</td>
            </tr>
          ))}
        </DataTable>
      )}
      <button type="button" className="secondary" onClick={deliveries.reload}>
        Refresh deliveries<span className="visually-hidden"> of {hook.url}</span>
      </button>
      <h3>Dead letters</h3>
      <ErrorText error={dead.error ?? remove.error ?? redeliver.error} />
      {dead.data?.length === 0 && <p>None: every delivery arrived.</p>}
      <ul>
        {dead.data?.map((d) => (
          <li key={d.id} className={d.redeliveredAt ? undefined : 'outcome-failed'}>
            {formatDate(d.failedAt)} <code>{d.eventType}</code> ({d.attempts} attempts): {d.lastError}{' '}
            {d.redeliveredAt ? (
              <span>Redelivered {formatDate(d.redeliveredAt)}</span>
            ) : (
              <button
                type="button"
                className="secondary"
                disabled={redeliver.busy}
                onClick={() =>
                  void redeliver.run(async () => {
                    await api.post(`/v1/webhooks/${seg(hook.id)}/dead-letters/${seg(d.id)}/redeliver`, {
                      tenant,
                    });
                    dead.reload();
                    deliveries.reload();
                  })
                }
              >
                Redeliver<span className="visually-hidden"> event {d.eventId}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="danger"
        disabled={remove.busy}
        onClick={() =>
          void remove.run(async () => {
            await api.delete(`/v1/webhooks/${seg(hook.id)}`, { tenant });
            props.onDeleted();
          })
        }
      >
        Delete webhook<span className="visually-hidden"> {hook.url}</span>
      </button>
    </section>
  );
}
