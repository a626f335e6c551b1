import { FormEvent, useState } from 'react';
import { ApiError, AuditEntry, Group, Page, seg, Subject, SubjectLogin } from '../api';
import type { TenantPageProps } from '../App';
import { navigate } from '../router';
import { ConfirmButton, DataTable, ErrorText, formatDate, Link, PageTitle, useAction, useLoad } from '../ui';
import { AuditTable } from './Audit';
import { SubjectEvents } from './SubjectEvents';
import { EditSubjectForm, InviteButton, NewSubjectForm, useFolders } from './SubjectForms';

const PAGE_SIZE = 50;

export function SubjectsPage(props: TenantPageProps) {
  const { api } = props.session;
  const { tenant } = props;
  const [offset, setOffset] = useState(0);
  const [filter, setFilter] = useState('');
  const page = useLoad(
    () => api.get<Page<Subject>>('/v1/subjects', { tenant, query: { limit: PAGE_SIZE, offset, filter } }),
    [api, tenant, offset, filter],
  );
  return (
    <>
      <PageTitle>Subjects</PageTitle>
      <NewSubjectForm {...props} onCreated={page.reload} />
      <FilterForm
        id="subject-filter"
        example='userName sw "adele" and userType eq "Standard"'
        onSearch={(value) => {
          setOffset(0);
          setFilter(value);
        }}
      />
      <ErrorText error={page.error} />
      <DataTable caption="Subjects" columns={['userName', 'Display name', 'Status', 'Source', 'Updated']}>
        {page.data?.items.map((subject) => (
          <tr key={subject.id}>
            <td>
              <Link to={`/t/${tenant}/subjects/${subject.id}`}>{subject.userName}</Link>
            </td>
            <td>{subject.displayName ?? '—'}</td>
            <td>{subject.active ? 'active' : <span className="badge warn">inactive</span>}</td>
            <td>
              {subject.source}
              {subject.provider ? ` (${subject.provider})` : ''}
            </td>
            <td>{formatDate(subject.updatedAt)}</td>
          </tr>
        ))}
      </DataTable>
      {page.data && <Pager page={page.data} onOffset={setOffset} />}
    </>
  );
}

export function SubjectPage(props: TenantPageProps & { id: string }) {
  const { api } = props.session;
  const { tenant, id } = props;
  const subject = useLoad(() => api.get<Subject>(`/v1/subjects/${seg(id)}`, { tenant }), [api, tenant, id]);
  const login = useLoad(
    () => api.get<SubjectLogin>(`/v1/subjects/${seg(id)}/login`, { tenant }),
    [api, tenant, id, subject.data],
  );
  const folders = useFolders(props);
  const groups = useLoad(
    () => api.get<Page<Group>>(`/v1/subjects/${seg(id)}/groups`, { tenant, query: { limit: 1000 } }),
    [api, tenant, id],
  );
  const history = useLoad(
    () =>
      optional(
        api.get<{ items: AuditEntry[] }>('/v1/audit/provisioning', { tenant, query: { subjectId: id } }),
      ),
    [api, tenant, id, subject.data],
  );
  const remove = useAction();
  const s = subject.data;
  const folderName = (folderId: string) => {
    const folder = folders.data?.items.find((f) => f.id === folderId);
    return folder ? `${folder.displayName}${folder.externalId ? ` (${folder.externalId})` : ''}` : folderId;
  };
  return (
    <>
      <PageTitle>{s ? s.userName : 'Subject'}</PageTitle>
      <p>
        <Link to={`/t/${tenant}/subjects`}>← All subjects</Link>
      </p>
      <ErrorText error={subject.error} />
      {s && (
        <dl className="facts" data-testid="subject-facts">
          <dt>Id</dt>
          <dd>
            <code>{s.id}</code>
          </dd>
          <dt>Display name</dt>
          <dd>{s.displayName ?? '—'}</dd>
          <dt>externalId</dt>
          <dd>{s.externalId ? <code>{s.externalId}</code> : '—'}</dd>
          <dt>Status</dt>
          <dd>{s.active ? 'active' : 'inactive'}</dd>
          <dt>Source</dt>
          <dd>
            {s.source}
            {s.provider ? ` through ${s.provider}` : ''}
            {s.managedBy === 'scim' ? ' · managed by Entra ID (SCIM)' : ''}
          </dd>
          <dt>Roles</dt>
          <dd>{s.roles.length ? s.roles.join(', ') : 'none'}</dd>
          <dt>userType</dt>
          <dd>{s.userType ?? '—'}</dd>
          <dt>Access</dt>
          <dd>
            app {s.access.app ? 'yes' : 'no'} · web portal {s.access.portal ? 'yes' : 'no'}
          </dd>
          <dt>Folders</dt>
          <dd>{s.folders.length ? s.folders.map(folderName).join(', ') : 'none'}</dd>
          <dt>Metadata</dt>
          <dd>
            {Object.keys(s.metadata).length
              ? Object.entries(s.metadata).map(([key, value]) => (
                  <div key={key}>
                    <code>{key}</code> = {value}
                  </div>
                ))
              : 'none'}
          </dd>
          <dt>Login method</dt>
          <dd>
            {login.data ? `${login.data.loginMethod}${loginState(login.data)}` : login.error ? '—' : '…'}
          </dd>
          <dt>Created / updated</dt>
          <dd>
            {formatDate(s.createdAt)} / {formatDate(s.updatedAt)}
          </dd>
        </dl>
      )}
      {s && login.data?.loginMethod === 'built-in' && (
        <InviteButton {...props} subjectId={s.id} onInvited={login.reload} />
      )}
      {s && (folders.data || folders.error) && (
        <EditSubjectForm
          // Starts from the saved values after every save.
          key={`${s.updatedAt}/${login.data?.loginMethod ?? ''}`}
          {...props}
          subject={s}
          login={login.data}
          folders={folders.data?.items ?? []}
          onSaved={subject.reload}
        />
      )}
      <h2>Groups</h2>
      <ErrorText error={groups.error} />
      {groups.data?.items.length === 0 && <p>Member of no group.</p>}
      <ul>
        {groups.data?.items.map((g) => (
          <li key={g.id}>
            <Link to={`/t/${tenant}/groups/${g.id}`}>{g.displayName}</Link>
          </li>
        ))}
      </ul>
      <SubjectEvents {...props} changed={s?.updatedAt} />
      {history.data && (
        <>
          <h2>Provisioning history</h2>
          <AuditTable tenant={tenant} entries={history.data.items} />
        </>
      )}
      {s && (
        <section className="card" aria-labelledby="deprovision-title">
          <h2 id="deprovision-title">Deprovision</h2>
          <p className="hint">
            Deletes the subject and ends its sessions.
            {s.managedBy === 'scim' ? ' Entra may provision it again while it is assigned there.' : ''}
          </p>
          <ConfirmButton
            label={`Deprovision ${s.userName}`}
            confirmLabel={`Confirm deprovision ${s.userName}`}
            busy={remove.busy}
            onConfirm={() =>
              void remove.run(async () => {
                await api.delete(`/v1/subjects/${seg(s.id)}`, { tenant });
                navigate(`/t/${tenant}/subjects`);
              })
            }
          />
          <ErrorText error={remove.error} />
        </section>
      )}
    </>
  );
}

function loginState(login: SubjectLogin): string {
  if (login.loginMethod !== 'built-in') return '';
  const parts = [login.passwordSet ? 'password set' : 'no password yet'];
  if (login.invitationExpiresAt)
    parts.push(`invitation pending until ${formatDate(login.invitationExpiresAt)}`);
  if (login.lockedUntil) parts.push(`locked until ${formatDate(login.lockedUntil)}`);
  return ` (${parts.join(', ')})`;
}

export function GroupsPage(props: TenantPageProps) {
  const { api } = props.session;
  const { tenant } = props;
  const [offset, setOffset] = useState(0);
  const [filter, setFilter] = useState('');
  const page = useLoad(
    () => api.get<Page<Group>>('/v1/groups', { tenant, query: { limit: PAGE_SIZE, offset, filter } }),
    [api, tenant, offset, filter],
  );
  return (
    <>
      <PageTitle>Groups</PageTitle>
      <FilterForm
        id="group-filter"
        example='displayName sw "Sales"'
        onSearch={(value) => {
          setOffset(0);
          setFilter(value);
        }}
      />
      <ErrorText error={page.error} />
      <DataTable caption="Groups" columns={['Name', 'Members', 'externalId', 'Updated']}>
        {page.data?.items.map((group) => (
          <tr key={group.id}>
            <td>
              <Link to={`/t/${tenant}/groups/${group.id}`}>{group.displayName}</Link>
            </td>
            <td>{group.memberCount}</td>
            <td>{group.externalId ?? '—'}</td>
            <td>{formatDate(group.updatedAt)}</td>
          </tr>
        ))}
      </DataTable>
      {page.data && <Pager page={page.data} onOffset={setOffset} />}
    </>
  );
}

export function GroupPage(props: TenantPageProps & { id: string }) {
  const { api } = props.session;
  const { tenant, id } = props;
  const [offset, setOffset] = useState(0);
  const group = useLoad(() => api.get<Group>(`/v1/groups/${seg(id)}`, { tenant }), [api, tenant, id]);
  const members = useLoad(
    () =>
      api.get<Page<Subject>>(`/v1/groups/${seg(id)}/members`, {
        tenant,
        query: { limit: PAGE_SIZE, offset },
      }),
    [api, tenant, id, offset],
  );
  return (
    <>
      <PageTitle>{group.data?.displayName ?? 'Group'}</PageTitle>
      <p>
        <Link to={`/t/${tenant}/groups`}>← All groups</Link>
      </p>
      <ErrorText error={group.error ?? members.error} />
      <h2>Members</h2>
      <ul>
        {members.data?.items.map((m) => (
          <li key={m.id}>
            <Link to={`/t/${tenant}/subjects/${m.id}`}>{m.userName}</Link>{' '}
            {m.displayName ? `(${m.displayName})` : ''}
          </li>
        ))}
      </ul>
      {members.data && <Pager page={members.data} onOffset={setOffset} />}
    </>
  );
}

/** A SCIM filter (RFC 7644 §3.4.2.2) the admin API applies, as Entra's own queries do on the gateway. */
function FilterForm(props: { id: string; example: string; onSearch: (filter: string) => void }) {
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSearch(value.trim());
  };
  return (
    <form className="inline-form" role="search" onSubmit={submit}>
      <label htmlFor={props.id}>SCIM filter</label>
      <input
        id={props.id}
        type="search"
        spellCheck={false}
        placeholder={props.example}
        aria-describedby={`${props.id}-hint`}
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit">Search</button>
      <span id={`${props.id}-hint`} className="hint">
        e.g. <code>{props.example}</code>; empty: all
      </span>
    </form>
  );
}

export function Pager<T>(props: { page: Page<T>; onOffset: (offset: number) => void }) {
  const { total, limit, offset, items } = props.page;
  return (
    <nav className="pager" aria-label="Pages">
      <span>{total === 0 ? 'None' : `${offset + 1}–${offset + items.length} of ${total}`}</span>
      <button
        type="button"
        className="secondary"
        disabled={offset === 0}
        onClick={() => props.onOffset(Math.max(0, offset - limit))}
      >
        Previous
      </button>
      <button
        type="button"
        className="secondary"
        disabled={offset + limit >= total}
        onClick={() => props.onOffset(offset + limit)}
      >
        Next
      </button>
    </nav>
  );
}

/** An endpoint this IAM may not have yet (404): shown as absent rather than as an error. */
export async function optional<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}
