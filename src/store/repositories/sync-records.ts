import type { Insertable, Kysely, QueryCreator, Selectable } from 'kysely';
import type { Database, SyncRecordsTable, SyncState } from '../schema.js';
import { contains } from '../text-search.js';
import type { ConnectorLogRepository, LogEntryWrite } from './connector-log.js';
import { chunks } from './json.js';

export type SyncRecord = Selectable<SyncRecordsTable>;
export type SyncRecordWrite = Omit<Insertable<SyncRecordsTable>, 'id' | 'created_at' | 'updated_at'>;

/** A link-table row with nothing known yet but its flow, source id and state: callers set the rest. */
export const newLinkRow = (flow: string, sourceId: string, state: SyncState): SyncRecordWrite => ({
  flow,
  source_id: sourceId,
  target_id: null,
  target_number: null,
  natural_key: null,
  state,
  last_hash: null,
  source_updated_at: null,
  attempts: 0,
  error_code: null,
  error_category: null,
  error_message: null,
  reason: null,
  waiting_on: null,
  edited: 0,
  next_attempt_at: null,
  last_attempt_at: null,
  last_synced_at: null,
  data: null,
});

export interface RecordQuery {
  flow?: string;
  states?: readonly SyncState[];
  /** Matches source id, target id or natural key. */
  search?: string;
  limit?: number;
  offset?: number;
}

/** Rows of the link table (or lines of the log) one insert carries. */
const INSERT_ROWS = 200;
/**
 * Up to this many rows (and as many log lines), a page's two inserts go in one statement: its round
 * trip and commit cost more than the inserts. Beyond it, the two inserts side by side on two
 * connections finish sooner than one after the other in one statement.
 */
const ONE_STATEMENT_ROWS = 25;

/** The link table: one row per record per flow, its state, and the ids on both sides. */
export class SyncRecordRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** PostgreSQL: a page's rows and log lines go in one statement (see `storeWithLog`). */
    private readonly oneStatement = false,
  ) {}

  /** Rows whose `column` is one of `values` (and `equals` holds), fetched in chunks the engines accept. */
  private async selectIn(
    column: 'source_id' | 'target_id' | 'natural_key' | 'waiting_on',
    values: readonly string[],
    equals: { flow?: string; state?: SyncState },
  ): Promise<SyncRecord[]> {
    const out: SyncRecord[] = [];
    for (const part of chunks(values)) {
      if (part.length === 0) continue;
      let q = this.db.selectFrom('sync_records').selectAll().where(column, 'in', part);
      if (equals.flow) q = q.where('flow', '=', equals.flow);
      if (equals.state) q = q.where('state', '=', equals.state);
      out.push(...(await q.execute()));
    }
    return out;
  }

  async getMany(flow: string, sourceIds: readonly string[]): Promise<Map<string, SyncRecord>> {
    return new Map((await this.selectIn('source_id', sourceIds, { flow })).map((r) => [r.source_id, r]));
  }

  async get(flow: string, sourceId: string): Promise<SyncRecord | undefined> {
    return this.db
      .selectFrom('sync_records')
      .selectAll()
      .where('flow', '=', flow)
      .where('source_id', '=', sourceId)
      .executeTakeFirst();
  }

  async byId(id: number): Promise<SyncRecord | undefined> {
    return this.db.selectFrom('sync_records').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Rows of the flow holding any of these natural keys (to refuse two sources claiming one target). */
  async byNaturalKeys(flow: string, keys: readonly string[]): Promise<SyncRecord[]> {
    return this.selectIn('natural_key', keys, { flow });
  }

  /** Records that wait for this predecessor ("<flow>:<source id>"). */
  async waitingOn(keys: readonly string[]): Promise<SyncRecord[]> {
    return this.selectIn('waiting_on', keys, { state: 'waiting' });
  }

  /** Failed or throttled records whose automatic retry is due. */
  async dueRetries(flow: string, now: string, limit = 500): Promise<SyncRecord[]> {
    return this.db
      .selectFrom('sync_records')
      .selectAll()
      .where('flow', '=', flow)
      .where('state', 'in', ['failed', 'waiting'])
      .where('next_attempt_at', 'is not', null)
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
  }

  /** The earliest pending automatic retry of a flow. */
  async nextRetryAt(flow: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('sync_records')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('flow', '=', flow)
      .where('state', 'in', ['failed', 'waiting'])
      .where('next_attempt_at', 'is not', null)
      .executeTakeFirst();
    return (row?.at as string | null | undefined) ?? undefined;
  }

  /** Rows of the flow whose target is one of these ids (a reverse flow's view of the same pairs). */
  async byTargetIds(flow: string, targetIds: readonly string[]): Promise<SyncRecord[]> {
    return this.selectIn('target_id', targetIds, { flow });
  }

  async byTarget(flow: string, targetId: string): Promise<SyncRecord | undefined> {
    return this.db
      .selectFrom('sync_records')
      .selectAll()
      .where('flow', '=', flow)
      .where('target_id', '=', targetId)
      .executeTakeFirst();
  }

  /** Inserts or replaces rows by (flow, source_id), all or none. */
  async upsertMany(rows: readonly SyncRecordWrite[], now = new Date().toISOString()): Promise<void> {
    if (rows.length === 0) return;
    const parts = chunks(rows, INSERT_ROWS);
    // One statement is atomic by itself: a page's rows (every page stores its own) go in one round
    // trip instead of three (begin, insert, commit); more than one statement share a transaction.
    if (parts.length === 1) return this.upsertPart(this.db, rows, now);
    await this.db.transaction().execute(async (tx) => {
      for (const part of parts) await this.upsertPart(tx, part, now);
    });
  }

  /**
   * A page's rows and its connector-log lines. On PostgreSQL, for a small page (`ONE_STATEMENT_ROWS`),
   * both go in one statement (the rows in a data-modifying CTE, which runs whether or not it is read):
   * one round trip and one commit instead of two of each, both or neither. Otherwise side by side,
   * each as `upsertMany` and `ConnectorLogRepository.append` store them; a failure of either still
   * fails the page.
   */
  async storeWithLog(
    rows: readonly SyncRecordWrite[],
    logs: readonly LogEntryWrite[],
    log: Pick<ConnectorLogRepository, 'append'>,
    now = new Date().toISOString(),
  ): Promise<void> {
    const fits = (n: number) => n > 0 && n <= ONE_STATEMENT_ROWS;
    if (this.oneStatement && fits(rows.length) && fits(logs.length)) {
      await this.db
        .with('stored', (db) => this.upsertQuery(db, rows, now))
        .insertInto('connector_log')
        .values([...logs])
        .execute();
      return;
    }
    await Promise.all([this.upsertMany(rows, now), log.append(logs)]);
  }

  private async upsertPart(
    db: Kysely<Database>,
    part: readonly SyncRecordWrite[],
    now: string,
  ): Promise<void> {
    await this.upsertQuery(db, part, now).execute();
  }

  private upsertQuery(db: QueryCreator<Database>, part: readonly SyncRecordWrite[], now: string) {
    return db
      .insertInto('sync_records')
      .values(part.map((r) => ({ ...r, created_at: now, updated_at: now })))
      .onConflict((oc) =>
        oc.columns(['flow', 'source_id']).doUpdateSet((eb) => ({
          target_id: eb.ref('excluded.target_id'),
          target_number: eb.ref('excluded.target_number'),
          natural_key: eb.ref('excluded.natural_key'),
          state: eb.ref('excluded.state'),
          last_hash: eb.ref('excluded.last_hash'),
          source_updated_at: eb.ref('excluded.source_updated_at'),
          attempts: eb.ref('excluded.attempts'),
          error_code: eb.ref('excluded.error_code'),
          error_category: eb.ref('excluded.error_category'),
          error_message: eb.ref('excluded.error_message'),
          reason: eb.ref('excluded.reason'),
          waiting_on: eb.ref('excluded.waiting_on'),
          edited: eb.ref('excluded.edited'),
          next_attempt_at: eb.ref('excluded.next_attempt_at'),
          last_attempt_at: eb.ref('excluded.last_attempt_at'),
          last_synced_at: eb.ref('excluded.last_synced_at'),
          data: eb.ref('excluded.data'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      );
  }

  /** A person's decision on one record: skip it, mark it processed, or queue it for retry. */
  async setState(id: number, state: SyncState, patch: Partial<SyncRecordWrite> = {}): Promise<void> {
    await this.db
      .updateTable('sync_records')
      .set({ ...patch, state, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }

  /**
   * A person's sticky skip: `clear` forgets it (the source record changed, so it goes again);
   * `adopt` notes the hash of the copy a skip that kept none first met.
   */
  async skipMarks(
    flow: string,
    marks: { clear: readonly string[]; adopt: ReadonlyArray<{ sourceId: string; hash: string }> },
  ): Promise<void> {
    for (const part of chunks(marks.clear))
      if (part.length)
        await this.db
          .updateTable('sync_records')
          .set({ skipped_by: null, skip_reason: null, skipped_at: null, skipped_hash: null })
          .where('flow', '=', flow)
          .where('source_id', 'in', part)
          .execute();
    for (const a of marks.adopt)
      await this.db
        .updateTable('sync_records')
        .set({ skipped_hash: a.hash })
        .where('flow', '=', flow)
        .where('source_id', '=', a.sourceId)
        .where('skipped_hash', 'is', null)
        .execute();
  }

  async list(q: RecordQuery = {}): Promise<{ rows: SyncRecord[]; total: number }> {
    let base = this.db.selectFrom('sync_records');
    if (q.flow) base = base.where('flow', '=', q.flow);
    if (q.states?.length) base = base.where('state', 'in', [...q.states]);
    if (q.search) {
      const text = q.search;
      base = base.where((eb) =>
        eb.or([contains('source_id', text), contains('target_id', text), contains('natural_key', text)]),
      );
    }
    const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .selectAll()
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit ?? 100)
      .offset(q.offset ?? 0)
      .execute();
    return { rows, total: Number(total.n) };
  }

  async countByState(flow?: string): Promise<Record<string, number>> {
    let q = this.db.selectFrom('sync_records').select(['state', (eb) => eb.fn.countAll<number>().as('n')]);
    if (flow) q = q.where('flow', '=', flow);
    const rows = await q.groupBy('state').execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  /** Records of a flow in the given states, oldest first. */
  async inStates(flow: string, states: readonly SyncState[], limit = 1000): Promise<SyncRecord[]> {
    return this.db
      .selectFrom('sync_records')
      .selectAll()
      .where('flow', '=', flow)
      .where('state', 'in', [...states])
      .orderBy('id')
      .limit(limit)
      .execute();
  }
}
