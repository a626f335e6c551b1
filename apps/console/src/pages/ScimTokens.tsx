import { FormEvent, useState } from 'react';
import { ConnectionTest, Provider, ScimToken, seg } from '../api';
import type { TenantPageProps } from '../App';
import { DataTable, daysUntil, ErrorText, formatDate, PageTitle, ShownOnce, useAction, useLoad } from '../ui';

/** Tokens expiring within this many days are flagged: Entra stops provisioning on the day. */
const EXPIRY_WARNING_DAYS = 30;

interface NewToken {
  token: string;
  hint: string;
  /** Set when the token replaces another (rotation): the old one is revoked once Entra has the new one. */
  replaces?: ScimToken;
}

export function ScimTokensPage(props: TenantPageProps) {
  const { api } = props.session;
  const { tenant } = props;
  const tokens = useLoad(() => api.get<ScimToken[]>('/v1/scim', { tenant }), [api, tenant]);
  const providers = useLoad(() => api.get<Provider[]>('/v1/sso/azuread', { tenant }), [api, tenant]);
  const [fresh, setFresh] = useState<NewToken>();
  // The value to test with: the one just created, or whatever the operator pastes. Memory only.
  const [testToken, setTestToken] = useState('');
  const [confirming, setConfirming] = useState<string>();
  const action = useAction();

  const create = (
    provider: string,
    providerDisplayName: string,
    expiresInDays?: number,
    replaces?: ScimToken,
  ) =>
    action.run(async () => {
      const created = await api.post<ScimToken & { token: string }>('/v1/scim', {
        tenant,
        body: { provider, providerDisplayName, ...(expiresInDays ? { expiresInDays } : {}) },
      });
      setFresh({ token: created.token, hint: created.tokenHint, replaces });
      setTestToken(created.token);
      tokens.reload();
    });

  const revoke = (token: ScimToken) =>
    action.run(async () => {
      await api.delete(`/v1/scim/${seg(token.id)}`, { tenant });
      setConfirming(undefined);
      if (fresh?.replaces?.id === token.id) setFresh({ ...fresh, replaces: undefined });
      tokens.reload();
    });

  return (
    <>
      <PageTitle>SCIM tokens</PageTitle>
      <p className="hint">
        Entra’s provisioning sends one of these as its <strong>Secret Token</strong>. Values are stored
        hashed: a token is shown once, when it is created.
      </p>
      <ErrorText error={tokens.error ?? providers.error ?? action.error} />
      {tokens.data && <ExpiryWarning tokens={tokens.data} />}
      {fresh && (
        <FreshToken
          value={fresh}
          onRevokeOld={revoke}
          busy={action.busy}
          onDismiss={() => setFresh(undefined)}
        />
      )}
      <DataTable
        caption="SCIM tokens"
        columns={['Token', 'Provider', 'Created', 'Expires', 'Last used']}
        actions
      >
        {tokens.data?.map((token) => (
          <tr key={token.id}>
            <td>
              <code>…{token.tokenHint}</code>
            </td>
            <td>{token.providerDisplayName}</td>
            <td>{formatDate(token.createdAt)}</td>
            <td>
              {formatDate(token.expiresAt)} <ExpiryBadge expiresAt={token.expiresAt} />
            </td>
            <td>{token.lastUsedAt ? formatDate(token.lastUsedAt) : 'never'}</td>
            <td className="row-actions">
              {confirming === token.id ? (
                <>
                  <button
                    type="button"
                    className="danger"
                    disabled={action.busy}
                    onClick={() => void revoke(token)}
                  >
                    Confirm revoke …{token.tokenHint}
                  </button>
                  <button type="button" className="secondary" onClick={() => setConfirming(undefined)}>
                    Cancel
                  </button>
                </>
              ) : (
                <>
                  <button
                    type="button"
                    className="secondary"
                    disabled={action.busy}
                    onClick={() => void create(token.provider, token.providerDisplayName, undefined, token)}
                  >
                    Rotate<span className="visually-hidden"> token …{token.tokenHint}</span>
                  </button>
                  <button type="button" className="danger" onClick={() => setConfirming(token.id)}>
                    Revoke<span className="visually-hidden"> token …{token.tokenHint}</span>
                  </button>
                </>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      {tokens.data?.length === 0 && <p>No SCIM tokens.</p>}
      <CreateTokenForm providers={providers.data ?? []} busy={action.busy} onCreate={create} />
      <TestConnection {...props} token={testToken} onToken={setTestToken} />
    </>
  );
}

/** Entra stops provisioning when its token expires: say so above the list, not only in a row. */
function ExpiryWarning(props: { tokens: ScimToken[] }) {
  const expired = props.tokens.filter((t) => daysUntil(t.expiresAt) < 0);
  const expiring = props.tokens.filter((t) => {
    const days = daysUntil(t.expiresAt);
    return days >= 0 && days <= EXPIRY_WARNING_DAYS;
  });
  if (expired.length === 0 && expiring.length === 0) return null;
  const hints = (tokens: ScimToken[]) => tokens.map((t) => `…${t.tokenHint}`).join(', ');
  return (
    <div className="warning" role="status" data-testid="expiry-warning">
      {expired.length > 0 && <p>Expired: {hints(expired)}. Entra can no longer provision with it.</p>}
      {expiring.length > 0 && (
        <p>
          Expiring within {EXPIRY_WARNING_DAYS} days: {hints(expiring)}. Rotate it and paste the new token
          into Entra before then.
        </p>
      )}
    </div>
  );
}

function ExpiryBadge(props: { expiresAt: string }) {
  const days = daysUntil(props.expiresAt);
  if (days < 0) return <span className="badge danger">expired</span>;
  if (days <= EXPIRY_WARNING_DAYS) return <span className="badge warn">expires in {days} d</span>;
  return null;
}

function FreshToken(props: {
  value: NewToken;
  busy: boolean;
  onRevokeOld: (token: ScimToken) => void;
  onDismiss: () => void;
}) {
  const { token, replaces } = props.value;
  return (
    <ShownOnce
      title={`New SCIM token …${props.value.hint}`}
      warning="Copy it now and paste it into Entra as the Secret Token. It is shown only this once: after you leave this page nobody can read it again."
      value={token}
      label="the new SCIM token"
      testId="fresh-token"
      onDismiss={props.onDismiss}
    >
      {replaces && (
        <p>
          Once Entra uses the new token (Test connection below),{' '}
          <button
            type="button"
            className="danger"
            disabled={props.busy}
            onClick={() => props.onRevokeOld(replaces)}
          >
            revoke the old token …{replaces.tokenHint}
          </button>
        </p>
      )}
    </ShownOnce>
  );
}

function CreateTokenForm(props: {
  providers: Provider[];
  busy: boolean;
  onCreate: (provider: string, displayName: string, expiresInDays?: number) => Promise<void>;
}) {
  const [scheme, setScheme] = useState('');
  const [days, setDays] = useState('');
  const chosen = props.providers.find((p) => p.scheme === scheme) ?? props.providers[0];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen) void props.onCreate(chosen.scheme, chosen.displayName, days ? Number(days) : undefined);
  };
  if (props.providers.length === 0)
    return <p>Register an Azure AD provider first: a SCIM token belongs to one.</p>;
  return (
    <form onSubmit={submit} className="card stacked">
      <h2>New token</h2>
      <div className="field">
        <label htmlFor="token-provider">Provider</label>
        <select
          id="token-provider"
          value={chosen?.scheme}
          onChange={(event) => setScheme(event.target.value)}
        >
          {props.providers.map((p) => (
            <option key={p.scheme} value={p.scheme}>
              {p.displayName} ({p.scheme})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="token-days">Lifetime in days (empty: the default)</label>
        <input
          id="token-days"
          type="number"
          min={1}
          max={3650}
          value={days}
          onChange={(e) => setDays(e.target.value)}
        />
      </div>
      <div className="actions">
        <button type="submit" disabled={props.busy}>
          Create token
        </button>
      </div>
    </form>
  );
}

/** Entra's Test Connection: `GET /Users?filter=userName eq "<random guid>"` with the token, run by IAM. */
function TestConnection(props: TenantPageProps & { token: string; onToken: (token: string) => void }) {
  const [result, setResult] = useState<ConnectionTest>();
  const test = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void test.run(async () => {
      setResult(undefined);
      setResult(
        await props.session.api.post<ConnectionTest>('/v1/scim/test-connection', {
          tenant: props.tenant,
          body: { token: props.token },
        }),
      );
    });
  };
  const ok = result?.status === 200;
  return (
    <section className="card" aria-labelledby="test-connection-title">
      <h2 id="test-connection-title">Test connection</h2>
      <p className="hint">
        Does what Entra’s button does: asks the SCIM gateway for a user whose userName is a random GUID and
        shows the exact answer (200 with an empty ListResponse means Entra will accept the URL and token).
      </p>
      <form onSubmit={submit} className="inline-form">
        <label htmlFor="test-token">SCIM token</label>
        <input
          id="test-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={props.token}
          onChange={(event) => props.onToken(event.target.value)}
        />
        <button type="submit" disabled={test.busy}>
          Test connection
        </button>
      </form>
      <ErrorText error={test.error} />
      {result && (
        <div className={`test-result ${ok ? 'ok' : 'failed'}`} role="status" aria-live="polite">
          <p>
            <code>
              {result.request.method} {result.request.url}
            </code>
          </p>
          <p>
            <strong data-testid="test-status">
              {result.status === null ? `No answer: ${result.error}` : `HTTP ${result.status}`}
            </strong>{' '}
            in {result.durationMs} ms {ok ? '— the connection works' : '— Entra would report a failure'}
          </p>
          {result.body && <pre data-testid="test-body">{result.body}</pre>}
        </div>
      )}
    </section>
  );
}
