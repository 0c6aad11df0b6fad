import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Connector, InboundDelivery, ShiftClosed, WebhookEvent } from '../connectors/sdk/contract.js';
import { LedgerlinkError } from '../connectors/sdk/errors.js';
import { redactHeaders } from '../connectors/sdk/redact.js';
import type { Engine, RunResult } from '../engine/engine.js';
import { IDS_FILE_LIMITS } from '../engine/ids-file-limits.js';
import { runShift } from '../engine/shifts.js';
import type { Store } from '../store/index.js';

export const WEBHOOK_TASK = 'webhook.process';

export type Intake =
  | { outcome: 'stored'; id: number }
  | { outcome: 'duplicate' }
  | { outcome: 'rejected'; id?: number; reason: string }
  | { outcome: 'unreadable'; id?: number; reason: string };

/** What a refused delivery keeps of its body: enough to recognise it, never enough to fill a disk. */
export const REFUSED_EXCERPT_BYTES = 4096;

/** How long refused deliveries stay in the webhook log by default. */
export const REFUSED_RETENTION_DAYS = 7;

/**
 * The first `bytes` of a body as text. A multi-byte character cut in half is dropped rather than
 * kept as a replacement character; NUL, which PostgreSQL's text cannot hold, is shown as U+FFFD.
 */
export function excerpt(raw: Buffer, bytes: number): string {
  const text = raw.subarray(0, bytes).toString('utf8');
  return storableText(raw.length > bytes ? text.replace(/\uFFFD+$/, '') : text);
}

/** Text PostgreSQL and SQLite both keep as sent: NUL (never in a JSON or XML body) becomes U+FFFD. */
export const storableText = (s: string): string => (s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s);

/**
 * An id no system gives a record: longer than an ID file's IDs may be, or holding a control character.
 * Such an event is never work: its id went into the source's URL (a 20,000-character CustomerID made
 * Acumatica answer 431), the run failed, and the inbox job retried it forever, every later delivery of
 * the connection waiting behind it.
 */
function checkEventIds(events: readonly WebhookEvent[]): void {
  for (const [i, ev] of events.entries()) {
    const why =
      ev.id.length > IDS_FILE_LIMITS.maxIdLength
        ? `is ${ev.id.length} characters long (an id can have at most ${IDS_FILE_LIMITS.maxIdLength})`
        : /\p{Cc}/u.test(ev.id)
          ? 'holds a control character'
          : undefined;
    if (why)
      throw new LedgerlinkError({
        code: 'parse',
        category: 'rejected',
        message: `record ${i + 1} the delivery names (a ${ev.entity}) has an id that ${why}; no system has such ids`,
      });
  }
}

/** Refused rows are pruned as they arrive, at most once a minute per store. */
const lastPrune = new WeakMap<Store, number>();

/**
 * Takes one delivery in: verifies it first — before its body is parsed, kept or allowed to claim a
 * dedupe key — then reads which records it names and stores it in the inbox, all before the sender
 * hears 2xx, so an acknowledged event is never lost. The same verified delivery sent again (the
 * sender's retry) is stored once. A refused delivery is kept for the webhook log with its headers
 * and only an excerpt of its body (plus the whole body's size and SHA-256), takes part in no dedup,
 * and is pruned after `refusedRetentionDays`; an unreadable one is kept whole (it was verified).
 * Neither becomes work.
 */
export async function takeDelivery(
  store: Store,
  connection: string,
  connector: Connector,
  delivery: InboundDelivery,
  opts: {
    refusedRetentionDays?: number;
    now?: () => number;
    /**
     * The delivery was not received but read from the sender's own log with our credentials
     * (Connector.upkeep's recovery): it is authentic without the push's proof, which it lacks.
     */
    fromSenderLog?: boolean;
  } = {},
): Promise<Intake> {
  const handler = connector.webhook!;
  const headers = redactHeaders(
    Object.fromEntries(
      Object.entries(delivery.headers).filter((e): e is [string, string] => e[1] !== undefined),
    ),
  );
  const raw = Buffer.from(delivery.rawBody, 'utf8');
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const size = { bodyBytes: raw.length, bodySha256: sha256 };
  const refused = opts.fromSenderLog ? undefined : handler.verify(delivery);
  if (refused) {
    const id = await store.inbox.store({
      connection,
      headers,
      body: excerpt(raw, REFUSED_EXCERPT_BYTES),
      ...size,
      bodyTruncated: raw.length > REFUSED_EXCERPT_BYTES,
      verified: false,
      error: refused,
    });
    const now = (opts.now ?? Date.now)();
    if (now - (lastPrune.get(store) ?? 0) > 60_000) {
      lastPrune.set(store, now);
      const days = opts.refusedRetentionDays ?? REFUSED_RETENTION_DAYS;
      await store.inbox.pruneRefused(new Date(now - days * 86_400_000).toISOString());
    }
    return { outcome: 'rejected', ...(id !== undefined ? { id } : {}), reason: refused };
  }
  const base = {
    connection,
    headers,
    body: storableText(delivery.rawBody),
    ...size,
    // The delivery id and a parser's reason quote the body (Acumatica's Query and Id, Magento's
    // eventName), so they may hold NUL too, which PostgreSQL refused with a 500.
    dedupeKey: storableText(handler.deliveryId(delivery) ?? `sha256:${sha256}`),
    verified: true,
  };
  let events: WebhookEvent[];
  try {
    events = handler.parse(delivery);
    checkEventIds(events);
  } catch (e) {
    const reason = (e as Error).message;
    const id = await store.inbox.store({ ...base, status: 'failed', error: storableText(reason) });
    return { outcome: 'unreadable', ...(id !== undefined ? { id } : {}), reason };
  }
  const id = await store.inbox.store({ ...base, events });
  return id === undefined ? { outcome: 'duplicate' } : { outcome: 'stored', id };
}

/**
 * The job behind the inbox: drains a connection's received deliveries in arrival order, syncs the
 * records they name through every enabled flow that reads that entity from the connection — by id,
 * re-read from the source, so duplicates and deliveries out of order have one effect and the
 * newest data wins — and marks them processed. A flow that is busy makes the job try again later;
 * the deliveries stay received until then.
 */
export async function processInbox(
  engine: Engine,
  connection: string,
  logger: Logger,
  /** Told each run's result (a replay from the command line prints the flows' outcomes). */
  onRun?: (r: RunResult) => void,
): Promise<number> {
  const store = engine.store;
  let handled = 0;
  for (;;) {
    const rows = await store.inbox.pending(connection);
    if (rows.length === 0) return handled;
    const byFlow = new Map<string, Set<string>>();
    const shifts: ShiftClosed[] = [];
    const unread: number[] = [];
    for (const row of rows) {
      const events = row.events ? (JSON.parse(row.events) as WebhookEvent[]) : [];
      let taken = false;
      for (const ev of events) {
        // A register's shift closed: the shift-close flows of this source run on its records.
        if (ev.shift) {
          const closes = engine.flowNames().some((n) => {
            const f = engine.flow(n);
            return f.enabled && f.syncMode === 'shift-close' && f.source === connection;
          });
          if (closes) {
            shifts.push(ev.shift);
            taken = true;
          }
          continue;
        }
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
      onRun?.(r);
      if (r.status === 'failed')
        throw new Error(`flow ${flow} could not sync a webhook's records: ${r.message}`);
    }
    for (const shift of shifts)
      for (const r of await runShift(engine, store, connection, shift)) {
        onRun?.(r);
        if (r.status === 'failed')
          throw new Error(`flow ${r.flow} could not sync the records of shift ${shift.id}: ${r.message}`);
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
