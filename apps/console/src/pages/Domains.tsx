import { FormEvent, useState } from 'react';
import { Domain, seg } from '../api';
import type { TenantPageProps } from '../App';
import { ConfirmButton, CopyField, ErrorText, formatDate, PageTitle, useAction, useLoad } from '../ui';

/**
 * Domains the tenant proves it controls with a DNS TXT record. With requireVerifiedDomain in the
 * settings, SCIM creates and updates only users of verified domains.
 */
export function DomainsPage(props: TenantPageProps) {
  const { api } = props.session;
  const { tenant } = props;
  const domains = useLoad(() => api.get<Domain[]>('/v1/domains', { tenant }), [api, tenant]);
  const [name, setName] = useState('');
  const add = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void add.run(async () => {
      await api.post('/v1/domains', { tenant, body: { domain: name } });
      setName('');
      domains.reload();
    });
  };
  return (
    <>
      <PageTitle>Verified domains</PageTitle>
      <p className="hint">
        Add a domain, publish the TXT record it shows at your DNS provider, then verify. IAM looks the record
        up itself; a check that fails says what DNS answered.
      </p>
      <ErrorText error={domains.error} />
      {domains.data?.length === 0 && <p>No domains.</p>}
      {domains.data?.map((domain) => (
        <DomainCard key={domain.domain} {...props} domain={domain} onChanged={domains.reload} />
      ))}
      <form onSubmit={submit} className="card inline-form">
        <label htmlFor="domain-name">Domain to add</label>
        <input
          id="domain-name"
          required
          maxLength={300}
          placeholder="contoso.com"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" disabled={add.busy}>
          Add domain
        </button>
      </form>
      <ErrorText error={add.error} />
    </>
  );
}

function DomainCard(props: TenantPageProps & { domain: Domain; onChanged: () => void }) {
  const { api } = props.session;
  const { tenant, domain } = props;
  const action = useAction();
  const path = `/v1/domains/${seg(domain.domain)}`;
  const verified = domain.status === 'verified';
  return (
    <section className="card" aria-labelledby={`domain-${domain.domain}`}>
      <h2 id={`domain-${domain.domain}`}>
        {domain.domain}{' '}
        <span className={`badge ${verified ? 'ok' : 'warn'}`} data-testid="domain-status">
          {domain.status}
        </span>
      </h2>
      {!verified && <p>Publish this TXT record, then verify:</p>}
      <CopyField label="TXT record name" value={domain.txtRecord.name} />
      <CopyField label="TXT record value" value={domain.txtRecord.value} />
      <p className="hint">
        Added {formatDate(domain.createdAt)} · last checked {formatDate(domain.lastCheckedAt)}
        {verified && ` · verified ${formatDate(domain.verifiedAt)}`}
      </p>
      {domain.lastError && !verified && !action.error && (
        <p className="error" data-testid="domain-last-error">
          Last check: {domain.lastError}
        </p>
      )}
      <ErrorText error={action.error} />
      <div className="row-actions">
        {!verified && (
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              void action.run(async () => {
                try {
                  await api.post(`${path}/verify`, { tenant });
                } finally {
                  // A failed check (422) is recorded on the domain too.
                  props.onChanged();
                }
              })
            }
          >
            Verify<span className="visually-hidden"> {domain.domain}</span>
          </button>
        )}
        <ConfirmButton
          label={`Remove ${domain.domain}`}
          confirmLabel={`Confirm remove ${domain.domain}`}
          busy={action.busy}
          onConfirm={() =>
            void action.run(async () => {
              await api.delete(path, { tenant });
              props.onChanged();
            })
          }
        />
      </div>
    </section>
  );
}
