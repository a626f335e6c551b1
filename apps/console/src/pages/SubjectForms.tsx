import { FormEvent, useState } from 'react';
import {
  Folder,
  Invitation,
  LOGIN_METHODS,
  Page,
  ROLE_VALUES,
  seg,
  Subject,
  SubjectLogin,
  USER_TYPES,
} from '../api';
import type { TenantPageProps } from '../App';
import { ErrorText, Link, ShownOnce, useAction, useLoad } from '../ui';

/** Every folder of the tenant, to pick from and to name a subject's folder ids (the API allows 1000 a page). */
export function useFolders(props: TenantPageProps) {
  const { api } = props.session;
  const { tenant } = props;
  return useLoad(
    () => api.get<Page<Folder>>('/v1/folders', { tenant, query: { limit: 1000 } }),
    [api, tenant],
  );
}

/** The policy attributes as the form holds them. */
interface PolicyValues {
  roles: string[];
  userType: string;
  folders: string[];
  /** `key=value`, one a line. */
  metadata: string;
  loginMethod: string;
}

const policyOf = (s: Subject, login?: SubjectLogin): PolicyValues => ({
  roles: s.roles,
  userType: s.userType ?? '',
  folders: s.folders,
  metadata: Object.entries(s.metadata)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n'),
  loginMethod: login?.loginMethod ?? '',
});

function parseMetadata(text: string): Record<string, string> {
  const metadata: Record<string, string> = {};
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`Metadata line ${index + 1} must read key=value`);
    metadata[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  });
  return metadata;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((v) => b.includes(v));

/** Roles, userType, folders, metadata and login method: what an operator may set on any subject. */
function PolicyFields(props: {
  prefix: string;
  values: PolicyValues;
  folders: Folder[];
  /** The create form may leave the login method to the tenant's default. */
  defaultLoginMethod?: boolean;
  onChange: (values: PolicyValues) => void;
}) {
  const { prefix, values } = props;
  const set = <K extends keyof PolicyValues>(key: K, value: PolicyValues[K]) =>
    props.onChange({ ...values, [key]: value });
  const toggle = (list: string[], value: string, on: boolean) =>
    on ? [...list, value] : list.filter((v) => v !== value);
  return (
    <>
      <fieldset>
        <legend>Roles</legend>
        {ROLE_VALUES.map((role) => (
          <div className="check" key={role}>
            <input
              id={`${prefix}-role-${role}`}
              type="checkbox"
              checked={values.roles.includes(role)}
              onChange={(e) => set('roles', toggle(values.roles, role, e.target.checked))}
            />
            <label htmlFor={`${prefix}-role-${role}`}>{role}</label>
          </div>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${prefix}-user-type`}>userType</label>
        <select
          id={`${prefix}-user-type`}
          value={values.userType}
          onChange={(e) => set('userType', e.target.value)}
        >
          <option value="">none (the tenant’s default)</option>
          {USER_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </div>
      <fieldset>
        <legend>Folders</legend>
        {props.folders.length === 0 && <p className="hint">This tenant has no folders.</p>}
        {props.folders.map((folder) => (
          <div className="check" key={folder.id}>
            <input
              id={`${prefix}-folder-${folder.id}`}
              type="checkbox"
              checked={values.folders.includes(folder.id)}
              onChange={(e) => set('folders', toggle(values.folders, folder.id, e.target.checked))}
            />
            <label htmlFor={`${prefix}-folder-${folder.id}`}>
              {folder.displayName}
              {folder.externalId ? ` (${folder.externalId})` : ''}
            </label>
          </div>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${prefix}-metadata`}>Metadata (key=value, one a line)</label>
        <textarea
          id={`${prefix}-metadata`}
          rows={3}
          spellCheck={false}
          value={values.metadata}
          onChange={(e) => set('metadata', e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-login-method`}>Login method</label>
        <select
          id={`${prefix}-login-method`}
          value={values.loginMethod}
          onChange={(e) => set('loginMethod', e.target.value)}
        >
          {props.defaultLoginMethod && <option value="">the tenant’s default</option>}
          {LOGIN_METHODS.map((m) => (
            <option key={m} value={m}>
              {m === 'entra' ? 'Entra ID' : 'built-in password'}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}

/** A local subject (e.g. a temporary external user); a built-in one comes with an invitation shown once. */
export function NewSubjectForm(props: TenantPageProps & { onCreated: () => void }) {
  const { api } = props.session;
  const { tenant } = props;
  const folders = useFolders(props);
  const empty = { userName: '', displayName: '', email: '' };
  const [account, setAccount] = useState(empty);
  const [policy, setPolicy] = useState<PolicyValues>({
    roles: [],
    userType: '',
    folders: [],
    metadata: '',
    loginMethod: '',
  });
  const [created, setCreated] = useState<{ subject: Subject; invitation?: Invitation }>();
  const save = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run(async () => {
      const metadata = parseMetadata(policy.metadata);
      const subject = await api.post<Subject & { invitation?: Invitation }>('/v1/subjects', {
        tenant,
        body: {
          userName: account.userName,
          ...(account.displayName ? { displayName: account.displayName } : {}),
          ...(account.email ? { emails: [{ value: account.email, type: 'work', primary: true }] } : {}),
          ...(policy.roles.length ? { roles: policy.roles } : {}),
          ...(policy.userType ? { userType: policy.userType } : {}),
          ...(policy.folders.length ? { folders: policy.folders } : {}),
          ...(Object.keys(metadata).length ? { metadata } : {}),
          ...(policy.loginMethod ? { loginMethod: policy.loginMethod } : {}),
        },
      });
      setCreated({ subject, invitation: subject.invitation });
      setAccount(empty);
      props.onCreated();
    });
  };
  return (
    <>
      {created && (
        <div className="card" role="status">
          <p>
            Created <Link to={`/t/${tenant}/subjects/${created.subject.id}`}>{created.subject.userName}</Link>
            .
          </p>
          {created.invitation && (
            <ShownOnce
              title="Invitation"
              warning={`Send this link to the user to set a password; it is shown only this once and works until ${new Date(created.invitation.expiresAt).toLocaleString()}.`}
              value={created.invitation.url}
              label="the invitation link"
              testId="invitation-url"
              onDismiss={() => setCreated({ subject: created.subject })}
            />
          )}
        </div>
      )}
      <details className="card">
        <summary>New local user</summary>
        <form onSubmit={submit} className="stacked">
          <div className="field">
            <label htmlFor="new-user-name">userName</label>
            <input
              id="new-user-name"
              required
              maxLength={1024}
              autoComplete="off"
              value={account.userName}
              onChange={(e) => setAccount({ ...account, userName: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="new-user-display-name">Display name</label>
            <input
              id="new-user-display-name"
              maxLength={1024}
              value={account.displayName}
              onChange={(e) => setAccount({ ...account, displayName: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="new-user-email">Work e-mail (optional)</label>
            <input
              id="new-user-email"
              type="email"
              maxLength={1024}
              value={account.email}
              onChange={(e) => setAccount({ ...account, email: e.target.value })}
            />
          </div>
          <PolicyFields
            prefix="new-user"
            values={policy}
            folders={folders.data?.items ?? []}
            defaultLoginMethod
            onChange={setPolicy}
          />
          <div className="actions">
            <button type="submit" disabled={save.busy}>
              Create user
            </button>
          </div>
          <ErrorText error={save.error ?? folders.error} />
        </form>
      </details>
    </>
  );
}

/**
 * Edits a subject, sending only what changed. Entra owns the account attributes of a SCIM-managed
 * subject, so only its policy attributes and login method are offered.
 */
export function EditSubjectForm(
  props: TenantPageProps & { subject: Subject; login?: SubjectLogin; folders: Folder[]; onSaved: () => void },
) {
  const { api } = props.session;
  const { tenant, subject } = props;
  const local = subject.managedBy !== 'scim';
  const [account, setAccount] = useState({ displayName: subject.displayName ?? '', active: subject.active });
  const [policy, setPolicy] = useState(() => policyOf(subject, props.login));
  const save = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run(async () => {
      const metadata: Record<string, string | null> = parseMetadata(policy.metadata);
      for (const key of Object.keys(subject.metadata)) if (!(key in metadata)) metadata[key] = null;
      const body: Record<string, unknown> = {};
      if (local && account.displayName !== (subject.displayName ?? ''))
        body.displayName = account.displayName || null;
      if (local && account.active !== subject.active) body.active = account.active;
      if (!sameSet(policy.roles, subject.roles)) body.roles = policy.roles;
      if (policy.userType !== (subject.userType ?? '')) body.userType = policy.userType || null;
      if (!sameSet(policy.folders, subject.folders)) body.folders = policy.folders;
      if (Object.entries(metadata).some(([key, value]) => subject.metadata[key] !== value))
        body.metadata = metadata;
      if (policy.loginMethod && policy.loginMethod !== props.login?.loginMethod)
        body.loginMethod = policy.loginMethod;
      if (Object.keys(body).length === 0) throw new Error('Nothing changed.');
      await api.patch(`/v1/subjects/${seg(subject.id)}`, { tenant, body });
      props.onSaved();
    });
  };
  return (
    <form onSubmit={submit} className="card stacked">
      <h2>Edit</h2>
      {local ? (
        <>
          <div className="field">
            <label htmlFor="edit-display-name">Display name</label>
            <input
              id="edit-display-name"
              maxLength={1024}
              value={account.displayName}
              onChange={(e) => setAccount({ ...account, displayName: e.target.value })}
            />
          </div>
          <div className="check">
            <input
              id="edit-active"
              type="checkbox"
              checked={account.active}
              onChange={(e) => setAccount({ ...account, active: e.target.checked })}
            />
            <label htmlFor="edit-active">Active</label>
          </div>
        </>
      ) : (
        <p className="hint">
          Entra ID manages this user’s account (userName, name, e-mails, active): change those in Entra.
        </p>
      )}
      <PolicyFields prefix="edit" values={policy} folders={props.folders} onChange={setPolicy} />
      <div className="actions">
        <button type="submit" disabled={save.busy}>
          Save changes
        </button>
      </div>
      <ErrorText error={save.error} />
    </form>
  );
}

/** A new one-time invitation for a built-in user (any earlier one stops working). */
export function InviteButton(props: TenantPageProps & { subjectId: string; onInvited: () => void }) {
  const { api } = props.session;
  const [invitation, setInvitation] = useState<Invitation>();
  const invite = useAction();
  return (
    <>
      {invitation && (
        <ShownOnce
          title="Invitation"
          warning="Send this link to the user to set a password; it is shown only this once and replaces any earlier invitation."
          value={invitation.url}
          label="the invitation link"
          testId="invitation-url"
          onDismiss={() => setInvitation(undefined)}
        />
      )}
      <button
        type="button"
        className="secondary"
        disabled={invite.busy}
        onClick={() =>
          void invite.run(async () => {
            setInvitation(
              await api.post<Invitation>(`/v1/subjects/${seg(props.subjectId)}/invitation`, {
                tenant: props.tenant,
              }),
            );
            props.onInvited();
          })
        }
      >
        New invitation
      </button>
      <ErrorText error={invite.error} />
    </>
  );
}
