import { type Kysely, type Selectable, sql } from 'kysely';
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

/** Why a run silent past its limit was closed. */
export const ABANDONED_RUN = 'the process running it stopped (no heartbeat)';

/** What counting a page did (`RunRepository.pageDone`). */
export type PageDone = 'again' | 'counted' | 'last';

export class RunRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** The store runs data-modifying CTEs (PostgreSQL; SQLite has none). */
    private readonly oneStatement = false,
  ) {}

  async start(r: {
    flow: string;
    trigger: string;
    mode: string;
    filter: unknown;
    owner: string;
    /** Who started it (a person on a screen, a token's user), when someone did. */
    startedBy?: string;
    /** The request that queued it, so the screen that sent it can follow it. */
    request?: string;
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
        started_by: r.startedBy ?? null,
        request: r.request ?? null,
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

  /** How many records the run will read, once the source has counted them (the counts stay as they are). */
  async setTotal(id: number, total: number): Promise<void> {
    await this.db.updateTable('runs').set({ total }).where('id', '=', id).execute();
  }

  /** The run's process is alive. */
  async touch(id: number): Promise<void> {
    await this.db
      .updateTable('runs')
      .set({ heartbeat_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }

  async finish(id: number, status: RunStatus, counts: RunCounts, message?: string): Promise<void> {
    await this.ending(id, status, counts, message ?? null).execute();
  }

  /** The update that ends a run with its counts and message. */
  private ending(id: number, status: RunStatus, counts: RunCounts, message: string | null) {
    const now = new Date().toISOString();
    return this.db
      .updateTable('runs')
      .set({ ...countColumns(counts), status, finished_at: now, heartbeat_at: now, message })
      .where('id', '=', id);
  }

  /**
   * Closes a run found left behind, as failed with `message`, only if it still is: running, and (with
   * `silentBefore`) silent since then. False when it ended, or spoke up, after it was found.
   */
  async closeLeft(id: number, counts: RunCounts, message: string, silentBefore?: string): Promise<boolean> {
    let q = this.ending(id, 'failed', counts, message).where('status', '=', 'running');
    if (silentBefore) q = q.where('heartbeat_at', '<', silentBefore);
    const res = await q.executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async get(id: number): Promise<Run | undefined> {
    return this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The run a request queued, once a worker has started it. */
  async byRequest(flow: string, request: string): Promise<Run | undefined> {
    return this.db
      .selectFrom('runs')
      .selectAll()
      .where('request', '=', request)
      .where('flow', '=', flow)
      .orderBy('id', 'desc')
      .executeTakeFirst();
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

  /** Every run still marked running, of any flow (what a process that died may have left behind). */
  async allRunning(): Promise<Run[]> {
    return this.db.selectFrom('runs').selectAll().where('status', '=', 'running').orderBy('id').execute();
  }

  /**
   * Marks a run whose process died as interrupted, if it is still running; false when another
   * process got there first (it takes the work up, not this one).
   */
  async interrupt(id: number, message: string): Promise<boolean> {
    const now = new Date().toISOString();
    const res = await this.db
      .updateTable('runs')
      .set({ status: 'interrupted', finished_at: now, message })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async running(flow: string): Promise<Run[]> {
    return this.db
      .selectFrom('runs')
      .selectAll()
      .where('flow', '=', flow)
      .where('status', '=', 'running')
      .execute();
  }

  /**
   * Runs whose owner stopped sending heartbeats (killed process) are closed so nothing stays
   * "running" forever. A shared run whose pages are all queued has no single owner: its page jobs
   * keep it alive, and it is closed only when none has reported since `sharedStaleBefore`.
   */
  async closeAbandoned(staleBefore: string, sharedStaleBefore: string = staleBefore): Promise<number> {
    const res = await this.db
      .updateTable('runs')
      .set({
        status: 'failed',
        finished_at: new Date().toISOString(),
        message: ABANDONED_RUN,
      })
      .where('status', '=', 'running')
      .where((eb) =>
        eb.or([
          eb.and([eb('pages_total', 'is', null), eb('heartbeat_at', '<', staleBefore)]),
          eb.and([eb('pages_total', 'is not', null), eb('heartbeat_at', '<', sharedStaleBefore)]),
        ]),
      )
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** The reader of a shared run queued every page: how many, and where the cursor goes at the end. */
  async pagesQueued(id: number, pagesTotal: number, cursorNext: string | undefined): Promise<void> {
    await this.db
      .updateTable('runs')
      .set({
        pages_total: pagesTotal,
        // Unless a page was given up already (keepCursor): then the cursor stays where it is.
        cursor_next: sql<string | null>`case when message is null then ${cursorNext ?? null} else null end`,
        heartbeat_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** A note on a finished run for the people reading it (a closed shift's totals against what was sent). */
  async note(id: number, message: string): Promise<void> {
    await this.db.updateTable('runs').set({ message }).where('id', '=', id).execute();
  }

  /** A page of a shared run was given up: the incremental cursor must not move past its records. */
  async keepCursor(id: number, message: string): Promise<void> {
    await this.db.updateTable('runs').set({ cursor_next: null, message }).where('id', '=', id).execute();
  }

  /**
   * A page job of a shared run is done: its counts are added to the run's once (a page job run
   * twice is counted once: its `run_pages` row and the addition are one statement on PostgreSQL, one
   * transaction on SQLite). Returns `again` when the page was counted already, `last` when every
   * page of the run is now in (the caller ends it; a reader that says how many pages there are after
   * this sees them all in and ends it itself), else `counted`.
   */
  async pageDone(id: number, pageNo: number, counts: RunCounts, worker: string): Promise<PageDone> {
    const now = new Date().toISOString();
    const page = { run_id: id, page_no: pageNo, ...countColumns(counts), finished_at: now, worker };
    // Added in place, not summed over the pages: a run of 10,000 pages would read them all per page.
    const addition = {
      pages_done: sql<number>`pages_done + 1`,
      read_count: sql<number>`read_count + ${counts.read}`,
      created: sql<number>`created + ${counts.created}`,
      updated: sql<number>`updated + ${counts.updated}`,
      unchanged: sql<number>`unchanged + ${counts.unchanged}`,
      skipped: sql<number>`skipped + ${counts.skipped}`,
      failed: sql<number>`failed + ${counts.failed}`,
      waiting: sql<number>`waiting + ${counts.waiting}`,
      heartbeat_at: now,
    };
    const after = ['status', 'pages_done', 'pages_total'] as const;
    let run: Pick<Run, (typeof after)[number]> | undefined;
    if (this.oneStatement) {
      // Every page of every worker does this: one round trip (the row, the addition, the answer)
      // instead of five (begin, insert, update, commit, read the run back).
      run = await this.db
        .with('page', (db) =>
          db
            .insertInto('run_pages')
            .values(page)
            .onConflict((oc) => oc.columns(['run_id', 'page_no']).doNothing())
            .returning('run_id'),
        )
        .updateTable('runs')
        .set(addition)
        .where('id', 'in', (eb) => eb.selectFrom('page').select('run_id'))
        .returning(after)
        .executeTakeFirst();
    } else {
      run = await this.db.transaction().execute(async (trx) => {
        const res = await trx
          .insertInto('run_pages')
          .values(page)
          .onConflict((oc) => oc.columns(['run_id', 'page_no']).doNothing())
          .executeTakeFirst();
        if (Number(res.numInsertedOrUpdatedRows ?? 0n) === 0) return undefined;
        return trx.updateTable('runs').set(addition).where('id', '=', id).returning(after).executeTakeFirst();
      });
    }
    if (!run) return 'again';
    const allIn = run.status === 'running' && run.pages_total !== null && run.pages_done >= run.pages_total;
    return allIn ? 'last' : 'counted';
  }

  /** The pages of a shared run done so far, by page. */
  async pages(id: number) {
    return this.db.selectFrom('run_pages').selectAll().where('run_id', '=', id).orderBy('page_no').execute();
  }

  /**
   * Ends a shared run once all its pages are done. Whoever sees that first (the reader, or the job
   * of the last page) ends it; the others get undefined, so the end happens once.
   */
  async finishShared(id: number): Promise<{ run: Run; counts: RunCounts } | undefined> {
    const run = await this.get(id);
    if (run?.status !== 'running' || run.pages_total === null) return undefined;
    if (run.pages_done < run.pages_total) return undefined;
    const counts = runCounts(run);
    const status: RunStatus = counts.failed > 0 ? 'completed_with_failures' : 'succeeded';
    const now = new Date().toISOString();
    const res = await this.db
      .updateTable('runs')
      .set({ ...countColumns(counts), status, finished_at: now, heartbeat_at: now })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return undefined;
    return { run: { ...run, ...countColumns(counts), status, finished_at: now }, counts };
  }
}
