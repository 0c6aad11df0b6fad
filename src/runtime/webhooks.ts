import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Connector, InboundDelivery, WebhookEvent } from '../connectors/sdk/contract.js';
import { redactHeaders } from '../connectors/sdk/redact.js';
import type { Engine } from '../engine/engine.js';
import type { Store } from '../store/index.js';

export const WEBHOOK_TASK = 'webhook.process';

export type Intake =
  | { outcome: 'stored'; id: number }
  | { outcome: 'duplicate' }
  | { outcome: 'rejected'; id?: number; reason: string }
  | { outcome: 'unreadable'; id?: number; reason: string };

/**
 * Takes one delivery in: verifies it, reads which records it names, and stores it in the inbox —
 * all before the sender hears 2xx, so an acknowledged event is never lost. The same delivery sent
 * again (the sender's retry) is stored once. Refused and unreadable deliveries are stored too, for
 * the webhook log, but never become work.
 */
export async function takeDelivery(
  store: Store,
  connection: string,
  connector: Connector,
  delivery: InboundDelivery,
): Promise<Intake> {
  const handler = connector.webhook!;
  const headers = redactHeaders(
    Object.fromEntries(
      Object.entries(delivery.headers).filter((e): e is [string, string] => e[1] !== undefined),
    ),
  );
  const dedupeKey =
    handler.deliveryId(delivery) ?? `sha256:${createHash('sha256').update(delivery.rawBody).digest('hex')}`;
  const base = { connection, headers, body: delivery.rawBody, dedupeKey };
  const refused = handler.verify(delivery);
  if (refused) {
    const id = await store.inbox.store({ ...base, verified: false, error: refused });
    return { outcome: 'rejected', ...(id !== undefined ? { id } : {}), reason: refused };
  }
  let events: WebhookEvent[];
  try {
    events = handler.parse(delivery);
  } catch (e) {
    const reason = (e as Error).message;
    const id = await store.inbox.store({ ...base, verified: true, status: 'failed', error: reason });
    return { outcome: 'unreadable', ...(id !== undefined ? { id } : {}), reason };
  }
  const id = await store.inbox.store({ ...base, verified: true, events });
  return id === undefined ? { outcome: 'duplicate' } : { outcome: 'stored', id };
}

/**
 * The job behind the inbox: drains a connection's received deliveries in arrival order, syncs the
 * records they name through every enabled flow that reads that entity from the connection — by id,
 * re-read from the source, so duplicates and deliveries out of order have one effect and the
 * newest data wins — and marks them processed. A flow that is busy makes the job try again later;
 * the deliveries stay received until then.
 */
export async function processInbox(engine: Engine, connection: string, logger: Logger): Promise<number> {
  const store = engine.store;
  let handled = 0;
  for (;;) {
    const rows = await store.inbox.pending(connection);
    if (rows.length === 0) return handled;
    const byFlow = new Map<string, Set<string>>();
    const unread: number[] = [];
    for (const row of rows) {
      const events = row.events ? (JSON.parse(row.events) as WebhookEvent[]) : [];
      let taken = false;
      for (const ev of events) {
        for (const name of engine.flowNames()) {
          const f = engine.flow(name);
          // Only real-time flows act on webhooks; a scheduled or manual one waits for its turn.
          if (!f.enabled || f.syncMode !== 'realtime' || f.source !== connection || f.entity !== ev.entity)
            continue;
          const ids = byFlow.get(name) ?? new Set<string>();
          byFlow.set(name, ids.add(ev.id));
          taken = true;
        }
      }
      if (!taken) unread.push(row.id);
    }
    for (const [flow, ids] of byFlow) {
      const r = await engine.runIds(flow, [...ids], 'webhook');
      if (r.status === 'failed')
        throw new Error(`flow ${flow} could not sync a webhook's records: ${r.message}`);
    }
    // One statement for the batch: a burst of deliveries is drained in few, large batches.
    await store.inbox.mark(unread, 'ignored', `no enabled flow reads these records from ${connection}`);
    await store.inbox.mark(
      rows.filter((r) => !unread.includes(r.id)).map((r) => r.id),
      'processed',
    );
    handled += rows.length;
    logger.debug({ connection, deliveries: rows.length, flows: [...byFlow.keys()] }, 'webhooks processed');
  }
}
