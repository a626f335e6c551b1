import { FormEvent, useState } from 'react';
import { Folder, Page, seg } from '../api';
import type { TenantPageProps } from '../App';
import {
  ConfirmButton,
  CopyButton,
  DataTable,
  ErrorText,
  formatDate,
  PageTitle,
  useAction,
  useLoad,
} from '../ui';
import { Pager } from './Directory';

const PAGE_SIZE = 50;

/** The tenant's folders: Entra's folders attribute names one by its id or its externalId. */
export function FoldersPage(props: TenantPageProps) {
  const { api } = props.session;
  const { tenant } = props;
  const [offset, setOffset] = useState(0);
  const folders = useLoad(
    () => api.get<Page<Folder>>('/v1/folders', { tenant, query: { limit: PAGE_SIZE, offset } }),
    [api, tenant, offset],
  );
  return (
    <>
      <PageTitle>Folders</PageTitle>
      <p className="hint">
        Entra grants a user access to folders through the folders attribute, naming each by its id or by its
        externalId (no commas: Entra splits the value on them).
      </p>
      <ErrorText error={folders.error} />
      <DataTable caption="Folders" columns={['Name', 'externalId', 'Id', 'Updated']} actions>
        {folders.data?.items.map((folder) => (
          <FolderRow key={folder.id} {...props} folder={folder} onChanged={folders.reload} />
        ))}
      </DataTable>
      {folders.data?.total === 0 && <p>No folders.</p>}
      {folders.data && <Pager page={folders.data} onOffset={setOffset} />}
      <FolderForm {...props} onSaved={folders.reload} />
    </>
  );
}

function FolderRow(props: TenantPageProps & { folder: Folder; onChanged: () => void }) {
  const { api } = props.session;
  const { tenant, folder } = props;
  const [editing, setEditing] = useState(false);
  const remove = useAction();
  if (editing)
    return (
      <tr>
        <td colSpan={5}>
          <FolderForm
            {...props}
            folder={folder}
            onSaved={() => {
              setEditing(false);
              props.onChanged();
            }}
            onCancel={() => setEditing(false)}
          />
        </td>
      </tr>
    );
  return (
    <tr>
      <td>{folder.displayName}</td>
      <td>{folder.externalId ? <code>{folder.externalId}</code> : '—'}</td>
      <td>
        <code>{folder.id}</code> <CopyButton value={folder.id} label={`the id of ${folder.displayName}`} />
      </td>
      <td>{formatDate(folder.updatedAt)}</td>
      <td className="row-actions">
        <button type="button" className="secondary" onClick={() => setEditing(true)}>
          Edit<span className="visually-hidden"> {folder.displayName}</span>
        </button>
        <ConfirmButton
          label={`Delete ${folder.displayName}`}
          confirmLabel={`Confirm delete ${folder.displayName}`}
          busy={remove.busy}
          onConfirm={() =>
            void remove.run(async () => {
              await api.delete(`/v1/folders/${seg(folder.id)}`, { tenant });
              props.onChanged();
            })
          }
        />
        <ErrorText error={remove.error} />
      </td>
    </tr>
  );
}

/** Creates a folder, or edits one (an emptied externalId removes it). */
function FolderForm(
  props: TenantPageProps & { folder?: Folder; onSaved: () => void; onCancel?: () => void },
) {
  const { api } = props.session;
  const { tenant, folder } = props;
  const [displayName, setDisplayName] = useState(folder?.displayName ?? '');
  const [externalId, setExternalId] = useState(folder?.externalId ?? '');
  const save = useAction();
  const prefix = folder ? `folder-${folder.id}` : 'new-folder';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run(async () => {
      const ext = externalId.trim() || null;
      if (folder) {
        await api.patch(`/v1/folders/${seg(folder.id)}`, { tenant, body: { displayName, externalId: ext } });
      } else {
        await api.post('/v1/folders', { tenant, body: { displayName, ...(ext ? { externalId: ext } : {}) } });
        setDisplayName('');
        setExternalId('');
      }
      props.onSaved();
    });
  };
  return (
    <form onSubmit={submit} className={folder ? 'stacked' : 'card stacked'}>
      {!folder && <h2>New folder</h2>}
      <div className="field">
        <label htmlFor={`${prefix}-name`}>Folder name</label>
        <input
          id={`${prefix}-name`}
          required
          maxLength={200}
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-external`}>Folder externalId (optional)</label>
        <input
          id={`${prefix}-external`}
          maxLength={200}
          pattern="[^,]*"
          title="No commas: Entra splits folder values on them"
          value={externalId}
          onChange={(e) => setExternalId(e.target.value)}
        />
      </div>
      <div className="actions row-actions">
        <button type="submit" disabled={save.busy}>
          {folder ? 'Save folder' : 'Create folder'}
        </button>
        {props.onCancel && (
          <button type="button" className="secondary" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
      <ErrorText error={save.error} />
    </form>
  );
}
