import type { Kysely, Selectable } from 'kysely';
import type { Database, RunStatus, RunsTable } from '../schema.js';

export type Run = Selectable<RunsTable>;

export interface RunCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  waiting: number;
}

export const emptyCounts = (): RunCounts => ({
  read: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  skipped: 0,
  failed: 0,
  waiting: 0,
});

const countColumns = (c: RunCounts) => ({
  read_count: c.read,
  created: c.created,
  updated: c.updated,
  unchanged: c.unchanged,
  skipped: c.skipped,
  failed: c.failed,
  waiting: c.waiting,
});

export const runCounts = (r: Run): RunCounts => ({
  read: r.read_count,
  created: r.created,
  updated: r.updated,
  unchanged: r.unchanged,
  skipped: r.skipped,
  failed: r.failed,
  waiting: r.waiting,
});

export class RunRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async start(r: {
    flow: string;
    trigger: string;
    mode: string;
    filter: unknown;
    owner: string;
  }): Promise<number> {
    const now = new Date().toISOString();
    const row = await this.db
      .insertInto('runs')
      .values({
        flow: r.flow,
        trigger: r.trigger,
        mode: r.mode,
        filter: JSON.stringify(r.filter ?? {}),
        status: 'running',
        owner: r.owner,
        started_at: now,
        heartbeat_at: now,
        ...countColumns({ read: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, waiting: 0 }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async progress(id: number, counts: RunCounts, total?: number): Promise<void> {
    await this.db
      .updateTable('runs')
      .set({
        ...countColumns(counts),
        heartbeat_at: new Date().toISOString(),
        ...(total !== undefined ? { total } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  async finish(id: number, status: RunStatus, counts: RunCounts, message?: string): Promise<void> {
    const now = new Date().toISOString();
    await this.db
      .updateTable('runs')
      .set({ ...countColumns(counts), status, finished_at: now, heartbeat_at: now, message: message ?? null })
      .where('id', '=', id)
      .execute();
  }

  async get(id: number): Promise<Run | undefined> {
    return this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(q: { flow?: string; limit?: number; offset?: number } = {}): Promise<Run[]> {
    let s = this.db.selectFrom('runs').selectAll();
    if (q.flow) s = s.where('flow', '=', q.flow);
    return s
      .orderBy('id', 'desc')
      .limit(q.limit ?? 50)
      .offset(q.offset ?? 0)
      .execute();
  }

  async running(flow: string): Promise<Run[]> {
    return this.db
      .selectFrom('runs')
      .selectAll()
      .where('flow', '=', flow)
      .where('status', '=', 'running')
      .execute();
  }

  /** Runs whose owner stopped sending heartbeats (killed process) are closed so nothing stays "running" forever. */
  async closeAbandoned(staleBefore: string): Promise<number> {
    const res = await this.db
      .updateTable('runs')
      .set({
        status: 'failed',
        finished_at: new Date().toISOString(),
        message: 'the process running it stopped (no heartbeat)',
      })
      .where('status', '=', 'running')
      .where('heartbeat_at', '<', staleBefore)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }
}
