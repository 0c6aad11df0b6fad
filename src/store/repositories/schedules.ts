import type { Kysely, Selectable } from 'kysely';
import type { Database, SchedulesTable } from '../schema.js';

export type ScheduleRow = Selectable<SchedulesTable>;

/** When each flow's schedule last fired: the scheduler's memory across restarts, and its claim on a tick. */
export class ScheduleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(flow: string): Promise<ScheduleRow | undefined> {
    return this.db.selectFrom('schedules').selectAll().where('flow', '=', flow).executeTakeFirst();
  }

  async fired(flow: string, expression: string, at: string): Promise<void> {
    await this.db
      .insertInto('schedules')
      .values({ flow, expression, fired_at: at })
      .onConflict((oc) => oc.column('flow').doUpdateSet({ expression, fired_at: at }))
      .execute();
  }

  /**
   * Claims one tick for this process: true for exactly one of the processes sharing the store (the
   * one whose update moved fired_at up to the tick); the others find it there already.
   */
  async claimTick(flow: string, expression: string, tick: string): Promise<boolean> {
    const moved = await this.db
      .updateTable('schedules')
      .set({ expression, fired_at: tick })
      .where('flow', '=', flow)
      .where('fired_at', '<', tick)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) > 0) return true;
    const added = await this.db
      .insertInto('schedules')
      .values({ flow, expression, fired_at: tick })
      .onConflict((oc) => oc.column('flow').doNothing())
      .executeTakeFirst();
    return Number(added.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Claims making up a missed tick: true only if fired_at is still what this process read. */
  async claimMissed(flow: string, seen: string, at: string): Promise<boolean> {
    const moved = await this.db
      .updateTable('schedules')
      .set({ fired_at: at })
      .where('flow', '=', flow)
      .where('fired_at', '=', seen)
      .executeTakeFirst();
    return Number(moved.numUpdatedRows) > 0;
  }
}
