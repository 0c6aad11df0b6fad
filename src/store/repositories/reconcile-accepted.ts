import type { Kysely, Selectable } from 'kysely';
import type { Database, ReconcileAcceptedTable } from '../schema.js';

export type AcceptedFinding = Selectable<ReconcileAcceptedTable>;

/** Reconciliation findings people accepted (reconcile_accepted), one row per flow and finding. */
export class ReconcileAcceptedRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every acceptance of the flow, by finding key (a flow's accepted findings are few). */
  async ofFlow(flow: string): Promise<Map<string, AcceptedFinding>> {
    const rows = await this.db
      .selectFrom('reconcile_accepted')
      .selectAll()
      .where('flow', '=', flow)
      .execute();
    return new Map(rows.map((r) => [r.finding_key, r]));
  }

  /** Accepts the finding as it is now; accepting it again replaces who, why, when and the values. */
  async accept(row: Omit<AcceptedFinding, 'id'>): Promise<AcceptedFinding> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom('reconcile_accepted')
        .where('flow', '=', row.flow)
        .where('finding_key', '=', row.finding_key)
        .execute();
      await tx.insertInto('reconcile_accepted').values(row).execute();
    });
    return this.db
      .selectFrom('reconcile_accepted')
      .selectAll()
      .where('flow', '=', row.flow)
      .where('finding_key', '=', row.finding_key)
      .executeTakeFirstOrThrow();
  }
}
