import { RETRY_TASK } from '../engine/engine.js';
import type { Store } from '../store/index.js';
import type { Metrics } from './metrics.js';
import type { JobQueue } from './queue/queue.js';
import { WEBHOOK_TASK } from './webhooks.js';
import { RUN_TASK } from './worker.js';

/** The tasks Ledgerlink queues, each counted on its own: one cheap count per task and scrape. */
const TASKS = [RUN_TASK, RETRY_TASK, WEBHOOK_TASK] as const;

/** Jobs still to run, by task, as the queue in use counts them (the jobs table or graphile-worker's). */
export async function pendingByTask(queue: Pick<JobQueue, 'pending'>): Promise<Record<string, number>> {
  const counts = await Promise.all(TASKS.map((t) => queue.pending([t])));
  return Object.fromEntries(TASKS.map((t, i) => [t, counts[i]!]));
}

/**
 * Points the scrape-time gauges at this process's queue and store; returns what points them away
 * again (they are closing).
 */
export function watchStore(metrics: Metrics, store: Store, queue: Pick<JobQueue, 'pending'>): () => void {
  const stopQueue = metrics.readQueueDepth(() => pendingByTask(queue));
  const stopInbox = metrics.readInboxDepth(() => store.inbox.depthByConnection());
  return () => {
    stopQueue();
    stopInbox();
  };
}
