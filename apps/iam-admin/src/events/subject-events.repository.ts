import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Db, jsonbParam } from '@app/database';

const RELAY_LOCK_KEY = 76_437_646;

/** An event as the outbox will store it, before it has its place among the rows appended together. */
export interface OutboxEvent {
  aggregate_id: string;
  tenant_id: string;
  event: Record<string, unknown>;
}

/** An outbox row to append: `ord` is its place among the rows of one statement. */
export interface OutboxInsert extends OutboxEvent {
  ord: number;
}

/** A committed event the relay has not published yet. */
export interface OutboxRow {
  position: string;
  id: string;
  sequence: string;
  occurredAt: Date;
  event: Record<string, unknown>;
}

/** The one owner of subject_events (the outbox) and event_sequences (the last sequence per aggregate). */
@Injectable()
export class SubjectEventsRepository {
  /**
   * Appends one change's events in one statement, numbering them per aggregate. The upsert on
   * event_sequences row-locks each aggregate, so concurrent changes of one subject commit in
   * sequence order.
   */
  async append(em: EntityManager, rows: OutboxInsert[]): Promise<void> {
    await em.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(ord int, aggregate_id uuid, tenant_id uuid, event jsonb)
       ), counted AS (
         SELECT input.*, row_number() OVER (PARTITION BY aggregate_id ORDER BY ord) AS rn,
                count(*) OVER (PARTITION BY aggregate_id) AS k
           FROM input
       ), bumped AS (
         INSERT INTO event_sequences (aggregate_id, last)
         -- in one order for every writer: two batches bumping the same aggregates cannot deadlock here
         SELECT aggregate_id, count(*) FROM input GROUP BY aggregate_id ORDER BY aggregate_id
         ON CONFLICT (aggregate_id) DO UPDATE SET last = event_sequences.last + EXCLUDED.last
         RETURNING aggregate_id, last
       )
       -- occurred when written: a group-commit transaction may have begun well before this change
       INSERT INTO subject_events (tenant_id, aggregate_id, sequence, event, occurred_at)
       SELECT c.tenant_id, c.aggregate_id, b.last - c.k + c.rn, c.event, clock_timestamp()
         FROM counted c JOIN bumped b USING (aggregate_id)
        ORDER BY c.ord`,
      [jsonbParam(rows)],
    );
  }

  /**
   * Retention: deletes up to `limit` events published before `before`, oldest first. Unpublished
   * rows always stay, whatever their age. Answers how many.
   */
  async purgePublishedBefore(db: Db, before: Date, limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await db.query(
      `DELETE FROM subject_events WHERE position IN (
         SELECT position FROM subject_events
          WHERE published_at IS NOT NULL AND published_at < $1
            -- never what a consumer may still need republished after Redis loses its data
            AND position <= (SELECT position FROM subject_events_acknowledged)
          ORDER BY published_at LIMIT $2)`,
      [before, limit],
    );
    return deleted;
  }

  /**
   * Read-only, for operators: one aggregate's (a subject's) events of a tenant, newest first, those
   * before sequence `before` when given (the unique (aggregate_id, sequence) index serves it).
   */
  history(
    db: Db,
    tenantId: string,
    aggregateId: string,
    before: number | null,
    limit: number,
  ): Promise<Array<OutboxRow & { publishedAt: Date | null }>> {
    return db.query(
      `SELECT position, id, sequence, occurred_at AS "occurredAt", published_at AS "publishedAt", event
         FROM subject_events
        WHERE aggregate_id = $2 AND tenant_id = $1 AND ($3::bigint IS NULL OR sequence < $3)
        ORDER BY sequence DESC LIMIT $4`,
      [tenantId, aggregateId, before, limit],
    );
  }

  /**
   * One relay at a time (until the transaction ends), so the stream keeps commit order. The same
   * statement turns sorting off for the transaction (see unpublished).
   */
  async tryLockRelay(em: EntityManager): Promise<boolean> {
    const [{ locked }] = await em.query(
      `SELECT pg_try_advisory_xact_lock($1) AS locked, set_config('enable_sort', 'off', true) AS sorting`,
      [RELAY_LOCK_KEY],
    );
    return locked;
  }

  /**
   * The oldest unpublished rows, and the position appended last (see lastPublished), in one
   * statement. The partial index hands rows over in position order; without statistics on a sudden
   * backlog (rows the planner does not know of yet) the planner would sort a bitmap scan of the
   * whole backlog, which is why tryLockRelay turned sorting off.
   */
  async unpublished(
    em: EntityManager,
    limit: number,
  ): Promise<{ rows: OutboxRow[]; lastPublished: string | null }> {
    const found: Array<Partial<OutboxRow> & { lastPublished: string | null }> = await em.query(
      `SELECT a.last_published AS "lastPublished", e.* FROM subject_events_acknowledged a
         LEFT JOIN LATERAL (
           SELECT position, id, sequence, occurred_at AS "occurredAt", event FROM subject_events
            WHERE published_at IS NULL ORDER BY position LIMIT $1) e ON true`,
      [limit],
    );
    const rows = found
      .filter((row) => row.position !== null && row.position !== undefined)
      .map(({ lastPublished: _last, ...row }) => row as OutboxRow);
    return { rows, lastPublished: found[0]?.lastPublished ?? null };
  }

  /** Seconds the oldest unpublished event has waited (0 when none): the outbox lag, via the unpublished index. */
  async oldestUnpublishedAgeSeconds(db: Db): Promise<number> {
    const rows: Array<{ age: number }> = await db.query(
      `SELECT extract(epoch FROM now() - occurred_at)::float8 AS age FROM subject_events
        WHERE published_at IS NULL ORDER BY position LIMIT 1`,
    );
    return Math.max(0, rows[0]?.age ?? 0);
  }

  /** The position appended last; the stream must still hold it, else Redis lost what it had accepted. */
  async lastPublished(em: EntityManager): Promise<string | null> {
    const [{ position }] = await em.query(
      `SELECT last_published AS position FROM subject_events_acknowledged`,
    );
    return position;
  }

  /** Through which position every consumer had acknowledged, when the relay last looked. */
  async acknowledgedThrough(em: EntityManager): Promise<string> {
    const [{ position }] = await em.query(`SELECT position FROM subject_events_acknowledged`);
    return position;
  }

  async recordAcknowledged(em: EntityManager, position: string): Promise<void> {
    await em.query(`UPDATE subject_events_acknowledged SET position = $1, recorded_at = now()`, [position]);
  }

  /** Marks the rows after `position` unpublished again, so the relay sends them once more, in order. */
  async republishAfter(em: EntityManager, position: string): Promise<number> {
    const [{ count }] = await em.query(
      `WITH rewound AS (
         UPDATE subject_events SET published_at = NULL WHERE position > $1 AND published_at IS NOT NULL RETURNING 1
       ) SELECT count(*)::int AS count FROM rewound`,
      [position],
    );
    return count;
  }

  /** Marks the rows appended (in this order) published; the last one is what the stream must hold next. */
  async markPublished(em: EntityManager, positions: string[]): Promise<void> {
    await em.query(
      `WITH marked AS (
         UPDATE subject_events SET published_at = now() WHERE position = ANY($1::bigint[])
       ) UPDATE subject_events_acknowledged SET last_published = $2`,
      [positions, positions.at(-1)],
    );
  }
}
