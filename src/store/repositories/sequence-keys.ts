import type { Kysely, Selectable } from 'kysely';
import type { Database, SequenceKeysTable } from '../schema.js';
import { chunks } from './json.js';

export type SequenceKey = Selectable<SequenceKeysTable>;

/** The stock positions and transfers that records of oldest-first flows still hold up (sequence_keys). */
export class SequenceKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records of `source` not yet succeeded that touch any of `keys` and happened by `before`
   * (oldest first): the predecessors a record touching those keys must wait for.
   */
  async blockers(source: string, keys: readonly string[], before: string): Promise<SequenceKey[]> {
    const out: SequenceKey[] = [];
    for (const part of chunks(keys)) {
      if (part.length === 0) continue;
      out.push(
        ...(await this.db
          .selectFrom('sequence_keys')
          .selectAll()
          .where('source', '=', source)
          .where('seq_key', 'in', part)
          .where('occurred_at', '<=', before)
          .orderBy('occurred_at')
          .execute()),
      );
    }
    return out.sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : 0));
  }

  /** Which of these records of `flow` still hold something up. */
  async holding(flow: string, sourceIds: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const part of chunks([...new Set(sourceIds)]))
      if (part.length)
        for (const r of await this.db
          .selectFrom('sequence_keys')
          .select('source_id')
          .distinct()
          .where('flow', '=', flow)
          .where('source_id', 'in', part)
          .execute())
          out.add(r.source_id);
    return out;
  }

  /** Notes what these records (not succeeded) touch, replacing what was noted for them before. */
  async hold(
    rows: ReadonlyArray<Omit<SequenceKey, 'id' | 'seq_key'> & { keys: readonly string[] }>,
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const r of rows)
        await tx
          .deleteFrom('sequence_keys')
          .where('flow', '=', r.flow)
          .where('source_id', '=', r.source_id)
          .execute();
      const values = rows.flatMap(({ keys, ...r }) => keys.map((seq_key) => ({ ...r, seq_key })));
      for (const part of chunks(values, 200))
        if (part.length) await tx.insertInto('sequence_keys').values(part).execute();
    });
  }

  /** These records succeeded: they hold nothing up any more. */
  async release(flow: string, sourceIds: readonly string[]): Promise<void> {
    for (const part of chunks(sourceIds))
      if (part.length)
        await this.db
          .deleteFrom('sequence_keys')
          .where('flow', '=', flow)
          .where('source_id', 'in', part)
          .execute();
  }
}
