import type { Kysely, Selectable } from 'kysely';
import type { Database, SchedulesTable } from '../schema.js';

export type ScheduleRow = Selectable<SchedulesTable>;

/** When each flow's schedule last fired (the scheduler's memory across restarts). */
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
}
