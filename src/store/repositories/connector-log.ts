import type { Insertable, Kysely, Selectable } from 'kysely';
import type { ConnectorLogTable, Database, LogStatus } from '../schema.js';
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
   */
  record?: string;
  runId?: number;
  since?: string;
  until?: string;
  text?: string;
  limit?: number;
  offset?: number;
}

export class ConnectorLogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async append(entries: readonly LogEntryWrite[]): Promise<void> {
    for (const part of chunks(entries, 200)) {
      if (part.length) await this.db.insertInto('connector_log').values(part).execute();
    }
  }

  /**
   * Every id and number a record is known by on both systems, by entity (an order's Acumatica
   * number, Magento id and increment id), from the log entries that name it. Ids are only unique
   * within an entity: Magento's order 1 and customer 1 are different records.
   */
  async aliases(id: string): Promise<Map<string, Set<string>>> {
    const entries = await this.db
      .selectFrom('connector_log')
      .select(['entity', 'source_id', 'target_id', 'source_number', 'target_number'])
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
    const out = new Map<string, Set<string>>();
    for (const { entity, ...ids } of entries) {
      const set = out.get(entity) ?? new Set<string>();
      for (const v of Object.values(ids)) if (v) set.add(v);
      out.set(entity, set);
    }
    return out;
  }

  async list(q: LogQuery = {}): Promise<{ rows: LogEntry[]; total: number }> {
    let s = this.db.selectFrom('connector_log');
    if (q.record) {
      const aliases = await this.aliases(q.record);
      if (aliases.size === 0) aliases.set('', new Set([q.record]));
      s = s.where((eb) =>
        eb.or(
          [...aliases].flatMap(([entity, set]) => {
            const ids = [...set];
            const own = eb.or([
              eb('source_id', 'in', ids),
              eb('target_id', 'in', ids),
              eb('source_number', 'in', ids),
              eb('target_number', 'in', ids),
            ]);
            return [
              entity ? eb.and([eb('entity', '=', entity), own]) : own,
              // Records that refer to it (its shipments, invoices, payments).
              ...ids.map((id) => eb('related', 'like', entity ? `% ${entity}:${id} %` : `%:${id} %`)),
            ];
          }),
        ),
      );
    }
    if (q.flow) s = s.where('flow', '=', q.flow);
    if (q.entity) s = s.where('entity', '=', q.entity);
    if (q.status?.length) s = s.where('status', 'in', [...q.status]);
    if (q.sourceId) s = s.where('source_id', '=', q.sourceId);
    if (q.runId !== undefined) s = s.where('run_id', '=', q.runId);
    if (q.since) s = s.where('created_at', '>=', q.since);
    if (q.until) s = s.where('created_at', '<=', q.until);
    if (q.text) {
      const like = `%${q.text}%`;
      s = s.where((eb) =>
        eb.or([eb('reason', 'like', like), eb('source_id', 'like', like), eb('target_id', 'like', like)]),
      );
    }
    const total = await s.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await s
      .selectAll()
      .orderBy('id', 'desc')
      .limit(q.limit ?? 100)
      .offset(q.offset ?? 0)
      .execute();
    return { rows, total: Number(total.n) };
  }

  /** Entries per flow, status and hour since `since` (hours as ISO strings of their start, UTC). */
  async hourly(since: string): Promise<Array<{ flow: string; status: string; hour: string; n: number }>> {
    const rows = await this.db
      .selectFrom('connector_log')
      .select(['flow', 'status', 'created_at'])
      .where('created_at', '>=', since)
      .execute();
    // Grouped here, not in SQL: the two dialects truncate timestamps differently, and a day is small.
    const out = new Map<string, { flow: string; status: string; hour: string; n: number }>();
    for (const r of rows) {
      const hour = `${r.created_at.slice(0, 13)}:00:00.000Z`;
      const key = `${r.flow}|${r.status}|${hour}`;
      const cur = out.get(key);
      if (cur) cur.n++;
      else out.set(key, { flow: r.flow, status: r.status, hour, n: 1 });
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
