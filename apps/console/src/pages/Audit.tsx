import { FormEvent, useState } from 'react';
import { AuditEntry } from '../api';
import type { TenantPageProps } from '../App';
import { DataTable, ErrorText, formatDate, Link, PageTitle, useLoad } from '../ui';
import { optional } from './Directory';

interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

const OUTCOMES = ['', 'success', 'refused', 'failed'];

export function AuditPage(props: TenantPageProps) {
  const { api } = props.session;
  const { tenant } = props;
  const [filter, setFilter] = useState({ outcome: '', userName: '' });
  const [applied, setApplied] = useState(filter);
  const [cursor, setCursor] = useState<string>();
  const page = useLoad(
    () =>
      optional(
        api.get<AuditPage>('/v1/audit/provisioning', { tenant, query: { ...applied, cursor, limit: 100 } }),
      ),
    [api, tenant, applied, cursor],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCursor(undefined);
    setApplied(filter);
  };
  return (
    <>
      <PageTitle>Provisioning log</PageTitle>
      <form className="inline-form" onSubmit={submit}>
        <label htmlFor="audit-outcome">Outcome</label>
        <select
          id="audit-outcome"
          value={filter.outcome}
          onChange={(e) => setFilter({ ...filter, outcome: e.target.value })}
        >
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o || 'any'}
            </option>
          ))}
        </select>
        <label htmlFor="audit-username">userName</label>
        <input
          id="audit-username"
          value={filter.userName}
          onChange={(e) => setFilter({ ...filter, userName: e.target.value })}
        />
        <button type="submit">Apply</button>
      </form>
      <ErrorText error={page.error} />
      {!page.loading && !page.error && !page.data && <p>This IAM has no provisioning audit log yet.</p>}
      {page.data && <AuditTable tenant={tenant} entries={page.data.items} />}
      <nav className="pager" aria-label="Pages">
        {cursor && (
          <button type="button" className="secondary" onClick={() => setCursor(undefined)}>
            Newest
          </button>
        )}
        {page.data?.nextCursor && (
          <button
            type="button"
            className="secondary"
            onClick={() => setCursor(page.data?.nextCursor ?? undefined)}
          >
            Older
          </button>
        )}
      </nav>
    </>
  );
}

/** Failures and refusals stand out (a row class plus the word, not colour alone). */
export function AuditTable(props: { tenant: string; entries: AuditEntry[] }) {
  if (props.entries.length === 0) return <p>No entries.</p>;
  return (
    <DataTable
      caption="Provisioning log entries, newest first"
      columns={['When', 'Operation', 'Target', 'Outcome', 'Detail']}
    >
      {props.entries.map((entry) => (
        <tr key={entry.id} className={entry.outcome === 'success' ? undefined : `outcome-${entry.outcome}`}>
          <td>{formatDate(entry.occurredAt)}</td>
          <td>
            {entry.operation} {entry.resourceType} <span className="hint">via {entry.source}</span>
          </td>
          <td>
            {entry.resourceId ? (
              <Link
                to={`/t/${props.tenant}/${entry.resourceType === 'Group' ? 'groups' : 'subjects'}/${entry.resourceId}`}
              >
                {entry.userName ?? entry.resourceId}
              </Link>
            ) : (
              (entry.userName ?? '—')
            )}
          </td>
          <td>
            <span className={`badge ${entry.outcome === 'success' ? '' : 'danger'}`}>
              {entry.outcome} {entry.status}
            </span>
          </td>
          <td>
            {entry.scimType && <code>{entry.scimType}</code>} {entry.message}
            {entry.changedAttributes.length > 0 && (
              <span className="hint"> changed: {entry.changedAttributes.join(', ')}</span>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
