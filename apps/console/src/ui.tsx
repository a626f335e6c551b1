import { MouseEvent, ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError } from './api';
import { BASE, navigate } from './router';

/** An in-app link: a real <a href> (open in new tab, keyboard) that navigates without a reload. */
export function Link(props: { to: string; children: ReactNode; current?: boolean }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={BASE + props.to} onClick={onClick} aria-current={props.current ? 'page' : undefined}>
      {props.children}
    </a>
  );
}

export function CopyButton(props: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // Clipboard refused (no permission, insecure origin): the value stays selectable on the page.
      setCopied(false);
    }
  };
  return (
    <button type="button" className="secondary" onClick={copy} aria-label={`Copy ${props.label}`}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

/** A value to copy into Entra: label, the value in monospace, and a copy button. */
export function CopyField(props: { label: string; value: string }) {
  const id = useId();
  return (
    <div className="copy-field">
      <span id={id} className="label">
        {props.label}
      </span>
      <code aria-labelledby={id}>{props.value}</code>
      <CopyButton value={props.value} label={props.label} />
    </div>
  );
}

/**
 * A secret the API answers only once (SCIM token, webhook signing secret, invitation): it takes focus,
 * says so, and offers a copy button. It lives in the page's state only, so leaving the page drops it.
 */
export function ShownOnce(props: {
  title: string;
  warning: string;
  value: string;
  /** Names the copy button: "Copy {label}". */
  label: string;
  testId?: string;
  children?: ReactNode;
  onDismiss: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => ref.current?.focus(), [props.value]);
  return (
    <div className="card fresh-token" role="region" aria-labelledby={titleId} tabIndex={-1} ref={ref}>
      <h2 id={titleId}>{props.title}</h2>
      <p className="warning" role="alert">
        {props.warning}
      </p>
      <div className="copy-field">
        <code data-testid={props.testId}>{props.value}</code>
        <CopyButton value={props.value} label={props.label} />
      </div>
      {props.children}
      <button type="button" className="secondary" onClick={props.onDismiss}>
        I have copied it
      </button>
    </div>
  );
}

/** A destructive action behind a second, explicit click (keyboard: the confirm button takes focus). */
export function ConfirmButton(props: {
  label: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirm.current?.focus();
  }, [asking]);
  if (!asking)
    return (
      <button type="button" className="danger" onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  return (
    <span className="row-actions">
      <button type="button" className="danger" ref={confirm} disabled={props.busy} onClick={props.onConfirm}>
        {props.confirmLabel}
      </button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

export function ErrorText(props: { error: unknown }) {
  if (!props.error) return null;
  const text =
    props.error instanceof ApiError
      ? `${props.error.status}: ${props.error.message}`
      : props.error instanceof Error
        ? props.error.message
        : String(props.error);
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
}

/** Loads once per `deps` change; `reload` fetches again (after a write). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  // The caller names what the load depends on.
  useEffect(() => {
    let cancelled = false;
    setState((previous) => ({ data: previous.data, loading: true }));
    load().then(
      (data) => !cancelled && setState({ data, loading: false }),
      (error: unknown) => !cancelled && setState({ error, loading: false }),
    );
    return () => {
      cancelled = true;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, reload };
}

/** Runs a write, keeping its error and a busy flag for the button. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** A page's heading, focused on navigation so screen readers announce the new page. */
/**
 * A table with a caption for screen readers, its column headers (and an unnamed last column for row
 * actions) and the wrapper that lets it scroll sideways on a narrow screen instead of the page.
 */
export function DataTable(props: {
  caption: string;
  columns: string[];
  actions?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th scope="col" key={column}>
                {column}
              </th>
            ))}
            {props.actions && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

export function PageTitle(props: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {props.children}
    </h1>
  );
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  return new Date(value).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function daysUntil(value: string): number {
  return Math.floor((new Date(value).getTime() - Date.now()) / 86_400_000);
}
