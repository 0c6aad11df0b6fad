import type { Insertable, Kysely, Selectable } from 'kysely';
import type { ConnectorLogTable, Database, LogStatus } from '../schema.js';
import { contains, likeLiteral, likePattern } from '../text-search.js';
import { chunks } from './json.js';

export type LogEntry = Selectable<ConnectorLogTable>;
export type LogEntryWrite = Omit<Insertable<ConnectorLogTable>, 'id'>;

export interface LogQuery {
  flow?: string;
  entity?: string;
  status?: readonly LogStatus[];
  sourceId?: string;
  /**
   * The whole story of one record: entries about it under any id or number either system knows it
   * by, and entries of the records that refer to it (an order's shipments, invoices and payments).
   * Ids are told apart by the flows' definitions in the store (entity and connections).
   */
  record?: string;
  runId?: number;
  since?: string;
  until?: string;
  text?: string;
  limit?: number;
  offset?: number;
}

/** A page of the log; a story also says which record it follows, and what else the id names. */
export interface LogPage {
  rows: LogEntry[];
  total: number;
  about?: { entity: string; others: string[] };
}

/** What a bare id in a story is read as, first first: the records people ask about by number. */
const STORY_ENTITIES: readonly string[] = [
  'salesOrder',
  'customer',
  'product',
  'invoice',
  'shipment',
  'payment',
  'stockTransfer',
  'stockCount',
];
const rank = (entity: string) => {
  const i = STORY_ENTITIES.indexOf(entity);
  return i < 0 ? STORY_ENTITIES.length : i;
};

/** A flow's entity and the connections its ids live on. */
interface FlowSides {
  entity: string;
  source: string;
  target: string;
}

/**
 * The aliases an entry gives its record: its ids and its numbers, each on the system it belongs to;
 * a number is marked "#" since a system's numbers and ids are different spaces (Tryton's sale 4 is
 * not the sale numbered 4).
 */
function ownKeys(
  e: Pick<LogEntry, 'source_id' | 'target_id' | 'source_number' | 'target_number'>,
  side: FlowSides | undefined,
): string[] {
  if (!side) return [];
  const out: string[] = [];
  const add = (connection: string, v: string | null, number: boolean) => {
    if (v) out.push(`${side.entity}:${connection}:${number ? '#' : ''}${v}`);
  };
  add(side.source, e.source_id, false);
  add(side.source, e.source_number, true);
  add(side.target, e.target_id, false);
  add(side.target, e.target_number, true);
  return out;
}

export class ConnectorLogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async append(entries: readonly LogEntryWrite[]): Promise<void> {
    for (const part of chunks(entries, 200)) {
      if (part.length) await this.db.insertInto('connector_log').values(part).execute();
    }
  }

  /** Each flow's entity and the connections its source and target ids live on (from the definitions). */
  private async sides(): Promise<Map<string, FlowSides>> {
    const rows = await this.db.selectFrom('flows').select(['name', 'entity', 'source', 'target']).execute();
    return new Map(rows.map((r) => [r.name, r]));
  }

  /**
   * Every id and number one record is known by, each qualified by the entity and the connection it
   * lives on ("salesOrder:acumatica:SO000123", "salesOrder:magento:42"): ids are unique within one
   * system's entity only — Magento's order 1 is neither its customer 1 nor Tryton's sale 1. A bare
   * number can name records of several entities (Magento numbers orders, shipments and invoices
   * alike: order 000000022 is not shipment 000000022), so the story is about one of them: the one
   * `entity:` before the id names, else the first of STORY_ENTITIES that has it.
   */
  async aliases(record: string): Promise<{ entity?: string; keys: Set<string>; others: string[] }> {
    const qualified = /^([A-Za-z]+):(.+)$/.exec(record);
    const wanted = qualified && STORY_ENTITIES.includes(qualified[1]!) ? qualified[1] : undefined;
    const id = wanted ? qualified![2]! : record;
    const sides = await this.sides();
    const entries = await this.db
      .selectFrom('connector_log')
      .select(['flow', 'source_id', 'target_id', 'source_number', 'target_number'])
      .where((eb) =>
        eb.or([
          eb('source_id', '=', id),
          eb('target_id', '=', id),
          eb('source_number', '=', id),
          eb('target_number', '=', id),
        ]),
      )
      .limit(1000)
      .execute();
    const byEntity = new Map<string, Set<string>>();
    for (const e of entries) {
      const side = sides.get(e.flow);
      if (!side) continue;
      const keys = byEntity.get(side.entity) ?? new Set<string>();
      for (const k of ownKeys(e, side)) keys.add(k);
      byEntity.set(side.entity, keys);
    }
    const found = [...byEntity.keys()].sort((a, b) => rank(a) - rank(b));
    const entity = wanted ?? found[0];
    return {
      ...(entity ? { entity } : {}),
      keys: (entity && byEntity.get(entity)) || new Set(),
      others: found.filter((e) => e !== entity),
    };
  }

  /**
   * One record's whole story: its own entries under any of its aliases, and the entries of the
   * records that refer to it (its shipments, invoices, payments, and what waited on it).
   */
  private async story(id: string, q: LogQuery): Promise<LogPage> {
    const sides = await this.sides();
    const { entity, keys, others } = await this.aliases(id);
    const about = entity ? { about: { entity, others } } : {};
    const raw = [...new Set([...keys].map((k) => k.split(':').slice(2).join(':').replace(/^#/, '')))];
    if (raw.length === 0) return { rows: [], total: 0, ...about };
    const found = await this.filtered({ ...q, record: undefined })
      .where((eb) =>
        eb.or([
          eb('source_id', 'in', raw),
          eb('target_id', 'in', raw),
          eb('source_number', 'in', raw),
          eb('target_number', 'in', raw),
          ...raw.map((r) => likePattern('related', `%:${likeLiteral(r)} %`)),
        ]),
      )
      .selectAll()
      .orderBy('id', 'desc')
      .limit(10_000)
      .execute();
    // The query finds every entry naming one of the ids; only those naming it on its own system count.
    const all = found.filter(
      (e) =>
        ownKeys(e, sides.get(e.flow)).some((k) => keys.has(k)) ||
        (e.related ?? '')
          .trim()
          .split(' ')
          .some((k) => keys.has(k)),
    );
    const offset = q.offset ?? 0;
    return { rows: all.slice(offset, offset + (q.limit ?? 100)), total: all.length, ...about };
  }

  async list(q: LogQuery = {}): Promise<LogPage> {
    if (q.record) return this.story(q.record, q);
    const s = this.filtered(q);
    const total = await s.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await s
      .selectAll()
      .orderBy('id', 'desc')
      .limit(q.limit ?? 100)
      .offset(q.offset ?? 0)
      .execute();
    return { rows, total: Number(total.n) };
  }

  private filtered(q: LogQuery) {
    let s = this.db.selectFrom('connector_log');
    if (q.flow) s = s.where('flow', '=', q.flow);
    if (q.entity) s = s.where('entity', '=', q.entity);
    if (q.status?.length) s = s.where('status', 'in', [...q.status]);
    if (q.sourceId) s = s.where('source_id', '=', q.sourceId);
    if (q.runId !== undefined) s = s.where('run_id', '=', q.runId);
    if (q.since) s = s.where('created_at', '>=', q.since);
    if (q.until) s = s.where('created_at', '<=', q.until);
    if (q.text) {
      const text = q.text;
      s = s.where((eb) =>
        // Whatever the row shows: the reason and both systems' ids and numbers.
        eb.or(
          ['reason', 'source_id', 'target_id', 'source_number', 'target_number'].map((c) =>
            contains(c, text),
          ),
        ),
      );
    }
    return s;
  }

  /**
   * Per flow and hour since `since` (hours as ISO strings of their start, UTC): the records that ended
   * the hour synced, and those that ended it failed — distinct source ids, each counted by its last
   * entry of the hour, so a record retried ten times is one failed record — and the failed attempts.
   */
  async hourly(
    since: string,
  ): Promise<Array<{ flow: string; hour: string; synced: number; failed: number; failedAttempts: number }>> {
    const rows = await this.db
      .selectFrom('connector_log')
      .select(['id', 'flow', 'source_id', 'status', 'created_at'])
      .where('created_at', '>=', since)
      .orderBy('id')
      .execute();
    // Grouped here, not in SQL: the two dialects truncate timestamps differently, and a day is small.
    const last = new Map<string, { flow: string; hour: string; status: string }>();
    const out = new Map<
      string,
      { flow: string; hour: string; synced: number; failed: number; failedAttempts: number }
    >();
    const slot = (flow: string, hour: string) => {
      const key = `${flow}|${hour}`;
      let cur = out.get(key);
      if (!cur) {
        cur = { flow, hour, synced: 0, failed: 0, failedAttempts: 0 };
        out.set(key, cur);
      }
      return cur;
    };
    for (const r of rows) {
      const hour = `${r.created_at.slice(0, 13)}:00:00.000Z`;
      last.set(`${r.flow}|${hour}|${r.source_id}`, { flow: r.flow, hour, status: r.status });
      if (r.status === 'failed' || r.status === 'aborted') slot(r.flow, hour).failedAttempts++;
    }
    for (const { flow, hour, status } of last.values()) {
      if (status === 'success') slot(flow, hour).synced++;
      else if (status === 'failed' || status === 'aborted') slot(flow, hour).failed++;
    }
    return [...out.values()];
  }

  async get(id: number): Promise<LogEntry | undefined> {
    return this.db.selectFrom('connector_log').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Deletes entries older than the retention window; returns how many went. */
  async prune(before: string): Promise<number> {
    const res = await this.db.deleteFrom('connector_log').where('created_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
