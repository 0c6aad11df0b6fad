import { type Kysely, type Selectable, sql } from 'kysely';
import type { BatchesTable, BatchRowsTable, Database } from '../schema.js';
import { contains } from '../text-search.js';
import { chunks } from './json.js';

export type Batch = Selectable<BatchesTable>;
export type BatchRow = Selectable<BatchRowsTable>;
export type BatchRowWrite = Omit<BatchRow, 'batch_id' | 'position'> & {
  /** The row's sort key per declared column (see engine/grid-columns.ts). */
  sortKeys?: Readonly<Record<string, string>>;
};

/** The built-in sorts of a Load's grid; a Load also sorts by each column it declares, by name. */
export const BATCH_SORTS = ['position', 'source_id', 'label', 'updated_at', 'current_state', 'plan'] as const;
export type BatchSort = (typeof BATCH_SORTS)[number];
const isBuiltIn = (sort: string): sort is BatchSort => (BATCH_SORTS as readonly string[]).includes(sort);

/** Loads of the batch screens: kept server-side so their grids page and sort there, then pruned. */
export class BatchRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    b: { flow: string; query: unknown; createdBy?: string; columns?: unknown },
    rows: readonly BatchRowWrite[],
  ): Promise<Batch> {
    return this.db.transaction().execute(async (tx) => {
      const batch = await tx
        .insertInto('batches')
        .values({
          flow: b.flow,
          query: JSON.stringify(b.query ?? {}),
          row_count: rows.length,
          created_by: b.createdBy ?? null,
          created_at: new Date().toISOString(),
          columns: b.columns === undefined ? null : JSON.stringify(b.columns),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const id = Number(batch.id);
      let position = 0;
      const keys: Array<{ batch_id: number; position: number; name: string; sort_key: string }> = [];
      for (const part of chunks(rows, 200)) {
        const values = part.map(({ sortKeys, ...r }) => {
          const at = position++;
          for (const [name, sort_key] of Object.entries(sortKeys ?? {}))
            keys.push({ batch_id: id, position: at, name, sort_key });
          return { ...r, batch_id: id, position: at };
        });
        await tx.insertInto('batch_rows').values(values).execute();
      }
      for (const part of chunks(keys, 500)) await tx.insertInto('batch_row_keys').values(part).execute();
      return { ...batch, id };
    });
  }

  async get(id: number): Promise<Batch | undefined> {
    return this.db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * A page of a Load's rows, sorted on the server by a built-in sort or by a column the Load
   * declares (its sort keys; the caller checks the name). Ties keep the source's order.
   */
  async rows(
    id: number,
    q: {
      offset?: number;
      limit?: number;
      sort?: string;
      dir?: 'asc' | 'desc';
      plan?: string;
      search?: string;
    } = {},
  ): Promise<{ rows: BatchRow[]; total: number }> {
    let s = this.db.selectFrom('batch_rows as r').where('r.batch_id', '=', id);
    if (q.plan) s = s.where('r.plan', '=', q.plan);
    if (q.search) {
      const text = q.search;
      s = s.where((eb) => eb.or([contains('r.source_id', text), contains('r.label', text)]));
    }
    const total = await s.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const dir = q.dir ?? 'asc';
    const sort = q.sort ?? 'position';
    const page = isBuiltIn(sort)
      ? s.selectAll('r').orderBy(`r.${sort}`, dir)
      : s
          .leftJoin('batch_row_keys as k', (j) =>
            j
              .onRef('k.batch_id', '=', 'r.batch_id')
              .onRef('k.position', '=', 'r.position')
              .on('k.name', '=', sort),
          )
          .selectAll('r')
          .orderBy(sql`coalesce(k.sort_key, '')`, dir);
    const rows = await page
      .orderBy('r.position', 'asc')
      .limit(q.limit ?? 100)
      .offset(q.offset ?? 0)
      .execute();
    return { rows, total: Number(total.n) };
  }

  /** Every source id of a Load (Process All works from it). */
  async sourceIds(id: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('batch_rows')
      .select('source_id')
      .where('batch_id', '=', id)
      .orderBy('position')
      .execute();
    return rows.map((r) => r.source_id);
  }

  /** Drops Loads older than `before`; returns how many went. */
  async prune(before: string): Promise<number> {
    const old = this.db.selectFrom('batches').select('id').where('created_at', '<', before);
    await this.db.deleteFrom('batch_row_keys').where('batch_id', 'in', old).execute();
    await this.db.deleteFrom('batch_rows').where('batch_id', 'in', old).execute();
    const res = await this.db.deleteFrom('batches').where('created_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
