import type { Kysely, Selectable } from 'kysely';
import type { BatchesTable, BatchRowsTable, Database } from '../schema.js';
import { contains } from '../text-search.js';
import { chunks } from './json.js';

export type Batch = Selectable<BatchesTable>;
export type BatchRow = Selectable<BatchRowsTable>;
export type BatchRowWrite = Omit<BatchRow, 'batch_id' | 'position'>;

/** Columns a Load grid sorts by. */
export const BATCH_SORTS = ['position', 'source_id', 'label', 'updated_at', 'current_state', 'plan'] as const;
export type BatchSort = (typeof BATCH_SORTS)[number];

/** Loads of the batch screens: kept server-side so their grids page and sort there, then pruned. */
export class BatchRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    b: { flow: string; query: unknown; createdBy?: string },
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
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const id = Number(batch.id);
      let position = 0;
      for (const part of chunks(rows, 200))
        await tx
          .insertInto('batch_rows')
          .values(part.map((r) => ({ ...r, batch_id: id, position: position++ })))
          .execute();
      return { ...batch, id };
    });
  }

  async get(id: number): Promise<Batch | undefined> {
    return this.db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async rows(
    id: number,
    q: {
      offset?: number;
      limit?: number;
      sort?: BatchSort;
      dir?: 'asc' | 'desc';
      plan?: string;
      search?: string;
    } = {},
  ): Promise<{ rows: BatchRow[]; total: number }> {
    let s = this.db.selectFrom('batch_rows').where('batch_id', '=', id);
    if (q.plan) s = s.where('plan', '=', q.plan);
    if (q.search) {
      const text = q.search;
      s = s.where((eb) => eb.or([contains('source_id', text), contains('label', text)]));
    }
    const total = await s.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await s
      .selectAll()
      .orderBy(q.sort ?? 'position', q.dir ?? 'asc')
      .orderBy('position', 'asc')
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
    await this.db.deleteFrom('batch_rows').where('batch_id', 'in', old).execute();
    const res = await this.db.deleteFrom('batches').where('created_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
