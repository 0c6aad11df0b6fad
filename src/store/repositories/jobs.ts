import { type Kysely, type Selectable, sql } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';
import type { Database, JobsTable } from '../schema.js';

export type JobRow = Selectable<JobsTable>;

export interface AddJob {
  task: string;
  payload: unknown;
  /**
   * Same key = same job: adding again replaces its payload and run time. Added again while it runs,
   * it runs once more when the current run ends (graphile-worker's rule), so work that arrived
   * during a run is never dropped.
   */
  jobKey?: string;
  runAt?: Date;
  maxAttempts?: number;
  /** A serial queue: its jobs run one at a time, in order of run time. */
  queue?: string | null;
}

/** Jobs as rows (graphile-worker's model): attempts, run-at with backoff, a de-duplicating key. */
export class JobRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly adapter: DialectAdapter,
  ) {}

  async add(job: AddJob): Promise<void> {
    const now = new Date().toISOString();
    const runAt = (job.runAt ?? new Date()).toISOString();
    const payload = JSON.stringify(job.payload ?? {});
    const insert = this.db.insertInto('jobs').values({
      task: job.task,
      payload,
      job_key: job.jobKey ?? null,
      run_at: runAt,
      attempts: 0,
      max_attempts: job.maxAttempts ?? 25,
      last_error: null,
      locked_at: null,
      locked_by: null,
      queue_name: job.queue ?? null,
      created_at: now,
      updated_at: now,
    });
    if (!job.jobKey) {
      await insert.execute();
      return;
    }
    await insert
      .onConflict((oc) =>
        oc.column('job_key').doUpdateSet({
          payload,
          run_at: runAt,
          // A running job keeps counting its attempt; an idle one starts afresh.
          attempts: sql`case when jobs.locked_at is null then 0 else jobs.attempts end`,
          last_error: null,
          updated_at: now,
          task: job.task,
          queue_name: job.queue ?? null,
          revision: sql`jobs.revision + 1`,
        }),
      )
      .execute();
  }

  /** Each as `add` adds it: the embedded store's writes are local, so one statement each costs little. */
  async addMany(jobs: readonly AddJob[]): Promise<void> {
    for (const job of jobs) await this.add(job);
  }

  /**
   * Locks up to `limit` due jobs for this worker. A lock older than `lockTimeoutMs` belongs to a
   * worker that died, so its job is claimable again. A job of a serial queue waits while another job
   * of that queue is held (SQLite has one writer, so the check and the lock cannot interleave).
   */
  async claim(
    workerId: string,
    opts: { limit?: number; lockTimeoutMs?: number; tasks?: readonly string[] } = {},
  ): Promise<JobRow[]> {
    const now = new Date();
    const nowIso = now.toISOString();
    const staleIso = new Date(now.getTime() - (opts.lockTimeoutMs ?? 5 * 60_000)).toISOString();
    let due = this.db
      .selectFrom('jobs')
      .select('id')
      .where('run_at', '<=', nowIso)
      .where((eb) => eb.or([eb('locked_at', 'is', null), eb('locked_at', '<', staleIso)]))
      .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
      .where((eb) =>
        eb.or([
          eb('queue_name', 'is', null),
          eb.not(
            eb.exists(
              eb
                .selectFrom('jobs as held')
                .select('held.id')
                .whereRef('held.queue_name', '=', 'jobs.queue_name')
                .where('held.locked_at', 'is not', null)
                .where('held.locked_at', '>=', staleIso),
            ),
          ),
        ]),
      )
      .orderBy('run_at')
      .orderBy('id')
      .limit(opts.limit ?? 1);
    if (opts.tasks?.length) due = due.where('task', 'in', [...opts.tasks]);
    if (this.adapter.supportsSkipLocked) due = due.forUpdate().skipLocked();
    return this.db
      .updateTable('jobs')
      .set({ locked_at: nowIso, locked_by: workerId, attempts: sql`attempts + 1`, updated_at: nowIso })
      .where('id', 'in', due)
      .returningAll()
      .execute();
  }

  /** Done: the job goes, unless it was added again while it ran — then it is unlocked to run once more. */
  async complete(id: number, revision = 0): Promise<void> {
    const res = await this.db
      .deleteFrom('jobs')
      .where('id', '=', id)
      .where('revision', '=', revision)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) > 0) return;
    await this.db
      .updateTable('jobs')
      .set({ locked_at: null, locked_by: null, attempts: 0, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Unlocks the job to run again at `retryAt`; past max_attempts it stays as a record of the failure.
   * `countAttempt: false` is for a job that could not start (its flow was busy, the worker stopping):
   * that is no failure of the job, so it costs none of its attempts.
   */
  async fail(id: number, error: string, retryAt: Date, opts: { countAttempt?: boolean } = {}): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        locked_at: null,
        locked_by: null,
        last_error: error,
        run_at: retryAt.toISOString(),
        updated_at: new Date().toISOString(),
        ...(opts.countAttempt === false ? { attempts: sql<number>`attempts - 1` } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  /** The workers holding jobs now. */
  async lockers(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select('locked_by')
      .distinct()
      .where('locked_at', 'is not', null)
      .execute();
    return rows.map((r) => r.locked_by).filter((w): w is string => w !== null);
  }

  /**
   * Gives back this worker's locked jobs: after a graceful shutdown without counting an attempt; for
   * a worker that died (`crashed`), the attempt it was making counts, as graphile-worker counts it.
   */
  async release(workerId: string, o: { crashed?: boolean } = {}): Promise<number> {
    const res = await this.db
      .updateTable('jobs')
      .set({ locked_at: null, locked_by: null, ...(o.crashed ? {} : { attempts: sql`attempts - 1` }) })
      .where('locked_by', '=', workerId)
      .where('locked_at', 'is not', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  async pending(tasks?: readonly string[]): Promise<number> {
    let q = this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) => eb('attempts', '<', eb.ref('max_attempts')));
    if (tasks?.length) q = q.where('task', 'in', [...tasks]);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  /** The earliest run time among pending jobs, to sleep exactly until it. */
  async nextRunAt(tasks?: readonly string[]): Promise<string | undefined> {
    let q = this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.min('run_at').as('at'))
      .where('locked_at', 'is', null)
      .where((eb) => eb('attempts', '<', eb.ref('max_attempts')));
    if (tasks?.length) q = q.where('task', 'in', [...tasks]);
    const row = await q.executeTakeFirst();
    return (row?.at as string | null | undefined) ?? undefined;
  }

  async list(): Promise<JobRow[]> {
    return this.db.selectFrom('jobs').selectAll().orderBy('run_at').execute();
  }
}
