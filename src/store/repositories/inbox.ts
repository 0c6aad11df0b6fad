import { createHash } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, WebhookInboxTable } from '../schema.js';

export type InboxEntry = Selectable<WebhookInboxTable>;

/** A row of the webhook log: everything but the body, of which only the first characters come. */
export type InboxListEntry = Omit<InboxEntry, 'body'> & { body_excerpt: string; body_length: number };

/** The columns of the log's list: everything but the body. */
const LIST_COLUMNS = [
  'id',
  'connection',
  'received_at',
  'headers',
  'dedupe_key',
  'verified',
  'status',
  'error',
  'processed_at',
  'events',
  'body_bytes',
  'body_sha256',
  'body_truncated',
] as const;

/**
 * received: stored and acknowledged, waiting for its job; processed: its records were synced;
 * ignored: no enabled flow reads what it names; rejected: not authentic; failed: unreadable.
 */
export type InboxStatus = 'received' | 'processed' | 'ignored' | 'rejected' | 'failed';

/** Inbound deliveries are rows before they are work: stored, then acknowledged, then processed. */
export class InboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores a delivery; returns its id, or undefined when the same dedupe key was already stored. Only
   * verified deliveries may carry a dedupe key: a forged one must never stand in for the real one.
   */
  async store(e: {
    connection: string;
    headers: Record<string, unknown>;
    /** The body as kept: whole for a verified delivery, an excerpt for a refused one. */
    body: string;
    /** The whole body's size and SHA-256 as received; by default those of `body`. */
    bodyBytes?: number;
    bodySha256?: string;
    bodyTruncated?: boolean;
    dedupeKey?: string;
    verified: boolean;
    error?: string;
    /** Default: received when verified, else rejected. */
    status?: InboxStatus;
    events?: unknown[];
  }): Promise<number | undefined> {
    const row = await this.db
      .insertInto('webhook_inbox')
      .values({
        connection: e.connection,
        received_at: new Date().toISOString(),
        headers: JSON.stringify(e.headers),
        body: e.body,
        body_bytes: e.bodyBytes ?? Buffer.byteLength(e.body),
        body_sha256: e.bodySha256 ?? createHash('sha256').update(e.body).digest('hex'),
        body_truncated: e.bodyTruncated ? 1 : 0,
        dedupe_key: e.verified ? (e.dedupeKey ?? null) : null,
        verified: e.verified ? 1 : 0,
        status: e.status ?? (e.verified ? 'received' : 'rejected'),
        error: e.error ?? null,
        processed_at: null,
        events: e.events ? JSON.stringify(e.events) : null,
      })
      .onConflict((oc) => oc.columns(['connection', 'dedupe_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row ? Number(row.id) : undefined;
  }

  /** Deliveries of a connection still waiting for their job, oldest first. */
  async pending(connection: string, limit = 500): Promise<InboxEntry[]> {
    return this.db
      .selectFrom('webhook_inbox')
      .selectAll()
      .where('connection', '=', connection)
      .where('status', '=', 'received')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  async mark(id: number | readonly number[], status: InboxStatus, error?: string): Promise<void> {
    const ids = typeof id === 'number' ? [id] : id;
    if (ids.length === 0) return;
    await this.db
      .updateTable('webhook_inbox')
      .set({ status, error: error ?? null, processed_at: new Date().toISOString() })
      .where('id', 'in', ids)
      .execute();
  }

  /** Back to the queue (a person's replay): processed again by the next job. */
  async requeue(id: number): Promise<void> {
    await this.db
      .updateTable('webhook_inbox')
      .set({ status: 'received', error: null, processed_at: null })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Verified, readable deliveries of a connection received in [from, to), oldest first, a page at a
   * time after `afterId` (a replay of a period walks them without holding them all).
   */
  async replayable(
    connection: string,
    from: string,
    to: string,
    page: { afterId?: number; limit?: number } = {},
  ): Promise<Array<Pick<InboxEntry, 'id' | 'status' | 'received_at'>>> {
    return this.db
      .selectFrom('webhook_inbox')
      .select(['id', 'status', 'received_at'])
      .where('connection', '=', connection)
      .where('verified', '=', 1)
      .where('events', 'is not', null)
      .where('status', 'in', ['received', 'processed', 'ignored'])
      .where('received_at', '>=', from)
      .where('received_at', '<', to)
      .where('id', '>', page.afterId ?? 0)
      .orderBy('id')
      .limit(page.limit ?? 500)
      .execute();
  }

  /** Several deliveries back to the queue in one statement (a replay of a period). */
  async requeueMany(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('webhook_inbox')
      .set({ status: 'received', error: null, processed_at: null })
      .where('id', 'in', [...ids])
      .execute();
  }

  async get(id: number): Promise<InboxEntry | undefined> {
    return this.db.selectFrom('webhook_inbox').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * The webhook log, newest first: each delivery with the first `excerpt` characters of its body (a
   * page of whole bodies could be hundreds of megabytes; the full verified body is one request away).
   */
  async list(
    q: { connection?: string; status?: string; limit?: number; offset?: number; excerpt?: number } = {},
  ): Promise<InboxListEntry[]> {
    const rows = await this.filtered(q)
      .select(LIST_COLUMNS)
      .select([
        sql<string>`substr(body, 1, ${q.excerpt ?? 1024})`.as('body_excerpt'),
        sql<number>`length(body)`.as('body_length'),
      ])
      .orderBy('id', 'desc')
      .limit(q.limit ?? 100)
      .offset(q.offset ?? 0)
      .execute();
    return rows.map((r) => ({ ...r, body_length: Number(r.body_length) }));
  }

  /** Deletes refused deliveries received before `before` (their retention is over); returns how many. */
  async pruneRefused(before: string): Promise<number> {
    const r = await this.db
      .deleteFrom('webhook_inbox')
      .where('status', '=', 'rejected')
      .where('received_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async count(q: { connection?: string; status?: string } = {}): Promise<number> {
    const row = await this.filtered(q)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private filtered(q: { connection?: string; status?: string }) {
    let s = this.db.selectFrom('webhook_inbox');
    if (q.connection) s = s.where('connection', '=', q.connection);
    if (q.status) s = s.where('status', '=', q.status);
    return s;
  }

  /** Deliveries not yet processed, by connection (the metrics' inbox depth). */
  async depthByConnection(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('webhook_inbox')
      .select((eb) => ['connection', eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'received')
      .groupBy('connection')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.connection, Number(r.n)]));
  }

  async depth(): Promise<number> {
    const row = await this.db
      .selectFrom('webhook_inbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'received')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
