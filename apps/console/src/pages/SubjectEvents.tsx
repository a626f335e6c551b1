import { SubjectEventEntry, seg } from '../api';
import type { TenantPageProps } from '../App';
import { ErrorText, formatDate, useLoad } from '../ui';
import { optional } from './Directory';

/** The subject's recent change events, as the event stream's consumers got them (newest first). */
export function SubjectEvents(props: TenantPageProps & { id: string }) {
  const { api } = props.session;
  const { tenant, id } = props;
  const events = useLoad(
    () =>
      optional(
        api.get<{ items: SubjectEventEntry[] }>(`/v1/subjects/${seg(id)}/events`, {
          tenant,
          query: { limit: 50 },
        }),
      ),
    [api, tenant, id],
  );
  // An IAM without the endpoint (404) shows no section.
  if (!events.error && !events.data) return null;
  return (
    <section aria-labelledby="subject-events-title">
      <h2 id="subject-events-title">Events</h2>
      <ErrorText error={events.error} />
      {events.data?.items.length === 0 && <p>No events kept for this subject.</p>}
      <ol className="events">
        {events.data?.items.map((event) => (
          <li key={event.id}>
            <details>
              <summary>
                {formatDate(event.occurredAt)} <code>{event.type}</code> by {event.source}
                {event.changedAttributes?.length ? `: ${event.changedAttributes.join(', ')}` : ''}
              </summary>
              <pre>{JSON.stringify(event, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ol>
    </section>
  );
}
