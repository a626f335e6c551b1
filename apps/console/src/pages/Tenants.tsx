import { FormEvent, useState } from 'react';
import { Tenant } from '../api';
import type { Session } from '../App';
import { DataTable, ErrorText, formatDate, Link, PageTitle, useAction, useLoad } from '../ui';

export function TenantsPage(props: { session: Session }) {
  const { api } = props.session;
  const tenants = useLoad(() => api.get<Tenant[]>('/v1/tenants'), [api]);
  const [name, setName] = useState('');
  const create = useAction();
  const toggle = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void create.run(async () => {
      await api.post('/v1/tenants', { body: { displayName: name } });
      setName('');
      tenants.reload();
    });
  };

  return (
    <>
      <PageTitle>Tenants</PageTitle>
      <ErrorText error={tenants.error ?? toggle.error} />
      <DataTable caption="Tenants" columns={['Name', 'Id', 'Status', 'Created']} actions>
        {tenants.data?.map((tenant) => (
          <tr key={tenant.id}>
            <td>
              <Link to={`/t/${tenant.id}/provider`}>{tenant.displayName}</Link>
              {tenant.isDefault && <span className="badge">default</span>}
            </td>
            <td>
              <code>{tenant.id}</code>
            </td>
            <td>{tenant.enabled ? 'enabled' : <span className="badge warn">disabled</span>}</td>
            <td>{formatDate(tenant.createdAt)}</td>
            <td>
              <button
                type="button"
                className="secondary"
                disabled={toggle.busy}
                onClick={() =>
                  void toggle.run(async () => {
                    await api.patch(`/v1/tenants/${tenant.id}`, { body: { enabled: !tenant.enabled } });
                    tenants.reload();
                  })
                }
              >
                {tenant.enabled ? 'Disable' : 'Enable'}
                <span className="visually-hidden"> {tenant.displayName}</span>
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
      <h2>New tenant</h2>
      <form onSubmit={submit} className="inline-form">
        <label htmlFor="tenant-name">Display name</label>
        <input
          id="tenant-name"
          required
          maxLength={200}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" disabled={create.busy}>
          Create tenant
        </button>
      </form>
      <ErrorText error={create.error} />
    </>
  );
}
