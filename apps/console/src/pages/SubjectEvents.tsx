import { useState } from 'react';
import { SubjectEventEntry, seg } from '../api';
import type { TenantPageProps } from '../App';
import { ErrorText, formatDate, useLoad } from '../ui';
import { optional } from './Directory';

/** The subject's recent change events, as the event stream's consumers got them (newest first). */
/** `changed`: the subject's updatedAt, so a save on the page shows its event. */
export function SubjectEvents(props: TenantPageProps & { id: string; changed?: string }) {
  const { api } = props.session;
  const { tenant, id } = props;
  // Older pages: the `before` sequence of the page shown (undefined: the newest).
  const [before, setBefore] = useState<number>();
  const events = useLoad(
    () =>
      optional(
        api.get<{ items: SubjectEventEntry[]; nextBefore: number | null }>(`/v1/subjects/${seg(id)}/events`, {
          tenant,
          query: { limit: 20, before },
        }),
      ),
    [api, tenant, id, before, props.changed],
  );
  // An IAM without the endpoint (404) shows no section.
  if (!events.error && !events.data) return null;
  return (
    <section aria-labelledby="subject-events-title">
      <h2 id="subject-events-title">Events</h2>
      <ErrorText error={events.error} />
      <p className="hint">
        Published events are kept for a few days (RETENTION_EVENTS_DAYS); older history is gone.
      </p>
      {events.data?.items.length === 0 && <p>No events kept for this subject.</p>}
      <ol className="events">
        {events.data?.items.map((event) => (
          <li key={event.id}>
            <details>
              <summary>
                {formatDate(event.occurredAt)} <code>{event.type}</code> by {event.source}
                {event.changedAttributes?.length ? `: ${event.changedAttributes.join(', ')}` : ''}
                {event.publishedAt ? '' : ' (not published yet)'}
              </summary>
              <pre>{JSON.stringify(event, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ol>
      <nav className="pager" aria-label="Event pages">
        {before !== undefined && (
          <button type="button" className="secondary" onClick={() => setBefore(undefined)}>
            Newest events
          </button>
        )}
        {events.data?.nextBefore && (
          <button
            type="button"
            className="secondary"
            onClick={() => setBefore(events.data?.nextBefore ?? undefined)}
          >
            Older events
          </button>
        )}
      </nav>
    </section>
  );
}
