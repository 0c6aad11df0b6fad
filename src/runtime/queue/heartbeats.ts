import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Store } from '../../store/index.js';

/**
 * How a crashed worker's jobs come back quickly. A worker killed mid-job (SIGKILL, a lost machine)
 * never unlocks what it holds, and graphile-worker itself frees such locks only after four hours.
 * So each working process notes in the store that it is alive, and every working process looks
 * now and then for jobs held by a worker whose note is older than the timeout and hands them back
 * through the engine's own `forceUnlockWorkers` — the queue stays graphile-worker's; we only tell it
 * who is gone.
 */
export class WorkerHeartbeats {
  private beat?: NodeJS.Timeout;
  private sweeper?: NodeJS.Timeout;
  private id?: string;

  constructor(
    private readonly store: Store,
    private readonly timeoutMs: number,
    /** The workers holding a job or a queue since before `lockedBefore`. */
    private readonly holders: (lockedBefore: Date) => Promise<string[]>,
    private readonly unlock: (workerIds: string[]) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Starts beating for `id` and sweeping; sweeps once at once, so a restart frees its dead predecessor. */
  async begin(id: string): Promise<void> {
    this.id = id;
    const now = new Date().toISOString();
    await this.store.db
      .insertInto('queue_workers')
      .values({ id, owner: `${hostname()}:${process.pid}`, started_at: now, heartbeat_at: now })
      .execute();
    this.beat = setInterval(() => void this.touch(), Math.max(100, Math.floor(this.timeoutMs / 3)));
    this.sweeper = setInterval(() => void this.sweepSafely(), Math.max(100, Math.floor(this.timeoutMs / 2)));
    this.beat.unref();
    this.sweeper.unref();
    await this.sweepSafely();
  }

  private async touch(): Promise<void> {
    const id = this.id;
    if (!id) return;
    try {
      const now = new Date().toISOString();
      const res = await this.store.db
        .updateTable('queue_workers')
        .set({ heartbeat_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      // Taken for gone after a long stall (its row swept): note that it lives again.
      if (Number(res.numUpdatedRows) === 0)
        await this.store.db
          .insertInto('queue_workers')
          .values({ id, owner: `${hostname()}:${process.pid}`, started_at: now, heartbeat_at: now })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
    } catch (e) {
      this.logger.warn({ err: e }, 'the worker could not note that it is alive');
    }
  }

  private async sweepSafely(): Promise<void> {
    try {
      await this.sweep();
    } catch (e) {
      this.logger.warn({ err: e }, 'looking for the jobs of stopped workers failed');
    }
  }

  /** Gives back the jobs of workers silent for longer than the timeout; returns their ids. */
  async sweep(now = new Date()): Promise<string[]> {
    const cutoff = new Date(now.getTime() - this.timeoutMs);
    const holders = await this.holders(cutoff);
    if (holders.length === 0) {
      // Workers killed while idle hold nothing to give back; their notes go all the same.
      await this.store.db
        .deleteFrom('queue_workers')
        .where('heartbeat_at', '<', cutoff.toISOString())
        .execute();
      return [];
    }
    const alive = await this.store.db
      .selectFrom('queue_workers')
      .select('id')
      .where('id', 'in', holders)
      .where('heartbeat_at', '>=', cutoff.toISOString())
      .execute();
    const living = new Set(alive.map((r) => r.id));
    const gone = holders.filter((h) => !living.has(h));
    if (gone.length === 0) return [];
    await this.unlock(gone);
    await this.store.db.deleteFrom('queue_workers').where('id', 'in', gone).execute();
    this.logger.warn({ workers: gone }, 'gave back the jobs of workers that stopped without releasing them');
    return gone;
  }

  /** Stops beating and forgets this worker (its jobs were given back by the graceful stop). */
  async end(): Promise<void> {
    clearInterval(this.beat);
    clearInterval(this.sweeper);
    const id = this.id;
    this.id = undefined;
    if (id) await this.store.db.deleteFrom('queue_workers').where('id', '=', id).execute();
  }
}
