import type { WebhookEvent } from '../connectors/sdk/contract.js';
import type { Engine } from '../engine/engine.js';
import { entityWord } from '../engine/validate.js';
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
  engine: Engine,
  queue: Pick<JobQueue, 'add'> | undefined,
  w: ReplayWindow,
  pageSize = 500,
): Promise<{ deliveries: number; relinked: number; firstId?: number; lastId?: number }> {
  const store = engine.store;
  let afterId = 0;
  let deliveries = 0;
  let relinked = 0;
  let firstId: number | undefined;
  for (;;) {
    const page = await store.inbox.replayable(w.connection, w.from, w.to, { afterId, limit: pageSize });
    if (page.length === 0) break;
    const ids = page.map((r) => r.id);
    relinked += await forgetLostTargets(engine, w.connection, ids);
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
  return { deliveries, relinked, ...(firstId !== undefined ? { firstId, lastId: afterId } : {}) };
}

/**
 * The records these deliveries name whose target record is gone (the target lost data): their link
 * is forgotten, so the replay finds them by key again or creates them — once. Only reads the target
 * (one lookup by natural key per flow and page); links it still has are left alone, so an unchanged
 * record still costs no write. Returns how many links were forgotten.
 */
async function forgetLostTargets(
  engine: Engine,
  connection: string,
  inboxIds: readonly number[],
): Promise<number> {
  const store = engine.store;
  const byEntity = new Map<string, Set<string>>();
  for (const id of inboxIds) {
    const row = await store.inbox.get(id);
    for (const ev of row?.events ? (JSON.parse(row.events) as WebhookEvent[]) : []) {
      if (ev.shift || ev.kind === 'delete') continue;
      (byEntity.get(ev.entity) ?? byEntity.set(ev.entity, new Set()).get(ev.entity)!).add(ev.id);
    }
  }
  let forgotten = 0;
  for (const name of engine.flowNames()) {
    const f = engine.flow(name);
    const ids = byEntity.get(f.entity);
    if (!f.enabled || f.syncMode !== 'realtime' || f.source !== connection || !ids) continue;
    const linked = [...(await store.records.getMany(name, [...ids])).values()].filter(
      (r) => r.target_id && r.natural_key && r.state === 'processed',
    );
    if (linked.length === 0) continue;
    const target = engine.connector(f.target);
    let found: Map<string, { id: string }>;
    try {
      found = await target.lookup(f.entity, [...new Set(linked.map((r) => r.natural_key!))]);
    } catch {
      continue; // the target cannot say now: the replay goes by the links as they are
    }
    for (const r of linked) {
      if (found.get(r.natural_key!)?.id === r.target_id) continue;
      if (found.has(r.natural_key!)) continue; // found under another id: matching decides, not us
      await store.records.setState(r.id, 'prepared', {
        target_id: null,
        target_number: null,
        last_hash: null,
        reason: `${entityWord(f.entity)} ${r.target_id} is no longer on ${target.manifest.title}; the replay writes it again`,
      });
      // The way back knew the lost record as its source: that link is gone too, or the replay would
      // take the record for an echo of one the target no longer has.
      for (const back of engine.flowNames()) {
        const b = engine.flow(back);
        if (b.entity !== f.entity || b.source !== f.target || b.target !== f.source) continue;
        const echo = await store.records.get(back, r.target_id!);
        if (echo?.target_id)
          await store.records.setState(echo.id, 'prepared', {
            target_id: null,
            target_number: null,
            last_hash: null,
            reason: `no longer on ${target.manifest.title}`,
          });
      }
      forgotten++;
    }
  }
  return forgotten;
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
