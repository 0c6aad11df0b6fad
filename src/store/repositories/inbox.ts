import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhookInboxTable } from '../schema.js';

export type InboxEntry = Selectable<WebhookInboxTable>;

/**
 * received: stored and acknowledged, waiting for its job; processed: its records were synced;
 * ignored: no enabled flow reads what it names; rejected: not authentic; failed: unreadable.
 */
export type InboxStatus = 'received' | 'processed' | 'ignored' | 'rejected' | 'failed';

/** Inbound deliveries are rows before they are work: stored, then acknowledged, then processed. */
export class InboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a delivery; returns its id, or undefined when the same dedupe key was already stored. */
  async store(e: {
    connection: string;
    headers: Record<string, unknown>;
    body: string;
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
        dedupe_key: e.dedupeKey ?? null,
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

  async get(id: number): Promise<InboxEntry | undefined> {
    return this.db.selectFrom('webhook_inbox').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(
    q: { connection?: string; status?: string; limit?: number; offset?: number } = {},
  ): Promise<InboxEntry[]> {
    return this.filtered(q)
      .selectAll()
      .orderBy('id', 'desc')
      .limit(q.limit ?? 100)
      .offset(q.offset ?? 0)
      .execute();
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
