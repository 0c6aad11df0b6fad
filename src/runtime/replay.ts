import type { Store } from '../store/index.js';
import type { JobQueue } from './queue/open.js';
import { WEBHOOK_TASK } from './webhooks.js';

/** A period to replay: the verified deliveries a connection received in [from, to). */
export interface ReplayWindow {
  connection: string;
  from: string;
  to: string;
}

/** Why a replay request cannot be done, naming the field (`connection`, `from`, `to`). */
export class ReplayRequestError extends Error {
  constructor(
    readonly field: 'connection' | 'from' | 'to',
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** The longest period one replay may cover. */
export const MAX_REPLAY_DAYS = 366;

const instant = (field: 'from' | 'to', value: unknown): string => {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ReplayRequestError(field, 'is required (an ISO 8601 date or time, e.g. 2026-12-01T00:00:00Z)');
  // A date, or a date and time with its offset: "2026-12-01" or "2026-12-01T08:00:00Z".
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value.trim()))
    throw new ReplayRequestError(
      field,
      `"${value}" is not an ISO 8601 date or time with its offset (e.g. 2026-12-01 or 2026-12-01T08:00:00Z)`,
    );
  const t = new Date(value.trim());
  if (Number.isNaN(t.getTime())) throw new ReplayRequestError(field, `"${value}" is not a real date`);
  return t.toISOString();
};

/**
 * Checks what a person asked for: a connection that takes webhooks, and a window with `from` before
 * `to`, no longer than MAX_REPLAY_DAYS. Returns the window in the store's form (UTC ISO times).
 */
export function replayWindow(
  input: { connection?: unknown; from?: unknown; to?: unknown },
  connections: Connections,
): ReplayWindow {
  const c = input.connection;
  if (typeof c !== 'string' || c === '') throw new ReplayRequestError('connection', 'is required');
  if (!connections.names.includes(c))
    throw new ReplayRequestError(
      'connection',
      `there is no connection "${c}" (the connections are ${connections.names.join(', ') || 'none'})`,
    );
  if (!connections.takesWebhooks(c))
    throw new ReplayRequestError(
      'connection',
      `connection "${c}" receives no webhooks: there is nothing to replay`,
    );
  const from = instant('from', input.from);
  const to = instant('to', input.to);
  if (from >= to) throw new ReplayRequestError('to', `must be after from (${from}), got ${to}`);
  if (Date.parse(to) - Date.parse(from) > MAX_REPLAY_DAYS * 86_400_000)
    throw new ReplayRequestError('to', `the window may cover at most ${MAX_REPLAY_DAYS} days`);
  return { connection: c, from, to };
}

/**
 * Puts every verified, readable delivery of the window back in the queue — status received, as it
 * was when it arrived — a page at a time, and queues the connection's webhook job. The job syncs
 * the records they name by id, re-read from the source, through the engine's normal path: records
 * that did not change write nothing, records the target lost are written again. Returns how many
 * deliveries were requeued.
 */
export async function requeueWindow(
  store: Store,
  queue: Pick<JobQueue, 'add'> | undefined,
  w: ReplayWindow,
  pageSize = 500,
): Promise<{ deliveries: number; firstId?: number; lastId?: number }> {
  let afterId = 0;
  let deliveries = 0;
  let firstId: number | undefined;
  for (;;) {
    const page = await store.inbox.replayable(w.connection, w.from, w.to, { afterId, limit: pageSize });
    if (page.length === 0) break;
    const ids = page.map((r) => r.id);
    await store.inbox.requeueMany(ids);
    firstId ??= ids[0];
    afterId = ids.at(-1)!;
    deliveries += ids.length;
    if (page.length < pageSize) break;
  }
  if (deliveries > 0 && queue)
    await queue.add({
      task: WEBHOOK_TASK,
      payload: { connection: w.connection },
      jobKey: `webhook:${w.connection}`,
    });
  return { deliveries, ...(firstId !== undefined ? { firstId, lastId: afterId } : {}) };
}

/** The configured connections, and whether one takes webhooks (what a replay may name). */
export interface Connections {
  names: readonly string[];
  takesWebhooks(name: string): boolean;
}

export function webhookConnections(ctx: {
  connectors: { names(): string[]; get(name: string): { webhook?: unknown } };
}): Connections {
  return {
    names: ctx.connectors.names(),
    takesWebhooks: (name) => ctx.connectors.get(name).webhook !== undefined,
  };
}
