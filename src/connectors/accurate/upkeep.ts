import type { InboundDelivery, UpkeepContext, UpkeepResult } from '../sdk/contract.js';
import type { AccurateClient } from './client.js';
import type { AccurateSettings } from './settings.js';
import { WEBHOOK_TYPES } from './webhook.js';
import { renewalDue, renewWebhook, webhookHistory } from './webhook-renew.js';

/** What the hourly upkeep keeps between rounds. */
interface UpkeepState {
  /** The webhook subscription's last day (ISO date), as webhook-renew.do last said. */
  activeUntil?: string;
  /** The end of the last window of webhook-history.do compared with the inbox (ISO instant). */
  historyTo?: string;
}

/** webhook-history.do takes at most 24 hours a call (spec). */
const WINDOW_MS = 24 * 3600_000;
/** It keeps a month of deliveries (spec): older windows are not asked for. */
const HISTORY_KEPT_MS = 30 * 24 * 3600_000;
/** The first round looks back this far. */
const FIRST_LOOK_BACK_MS = 24 * 3600_000;
/**
 * Each window starts this long before the last one ended: a delivery made just before a window's end
 * may be logged a little later. What is asked twice is found in the inbox and left alone.
 */
const OVERLAP_MS = 10 * 60_000;

/** An earlier version kept only the subscription's last day as its state. */
export function readUpkeepState(raw: string | undefined): UpkeepState {
  if (!raw) return {};
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) return { activeUntil: raw };
  try {
    const o = JSON.parse(raw) as UpkeepState;
    return {
      ...(typeof o.activeUntil === 'string' ? { activeUntil: o.activeUntil } : {}),
      ...(typeof o.historyTo === 'string' && !Number.isNaN(Date.parse(o.historyTo))
        ? { historyTo: o.historyTo }
        : {}),
    };
  } catch {
    return {};
  }
}

/**
 * A row of webhook-history.do as the delivery it records (FACTS.md ⚠: the row's shape is not
 * documented; the sandbox's is the push's body with the time as `createDate`). Its `uuid` is the
 * push's, so the inbox recognises a delivery it already has.
 */
export function historyDelivery(row: unknown, databaseId: string): InboundDelivery | undefined {
  if (!row || typeof row !== 'object') return undefined;
  const r = row as Record<string, unknown>;
  if (typeof r.type !== 'string' || !WEBHOOK_TYPES[r.type]) return undefined;
  if (r.databaseId !== undefined && databaseId && String(r.databaseId) !== databaseId) return undefined;
  let data = r.data;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as unknown;
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(data)) return undefined;
  const body = {
    ...(typeof r.uuid === 'string' ? { uuid: r.uuid } : {}),
    type: r.type,
    databaseId: r.databaseId ?? databaseId,
    ...(typeof (r.timestamp ?? r.createDate) === 'string' ? { timestamp: r.timestamp ?? r.createDate } : {}),
    data,
  };
  return { headers: { 'x-ledgerlink-source': 'accurate webhook-history.do' }, rawBody: JSON.stringify(body) };
}

/**
 * The hourly care of an Accurate connection with a webhook: renew the subscription before it lapses
 * (it stops silently after 7 days), then read webhook-history.do since the last round and take in any
 * delivery that never reached the inbox. A renewal refused fails the job; history refused (a token
 * that is not a developer's) is a problem reported after the renewal's state is kept.
 */
export async function accurateUpkeep(
  client: AccurateClient,
  s: AccurateSettings,
  raw: string | undefined,
  ctx: UpkeepContext,
  now = new Date(),
): Promise<UpkeepResult> {
  if (!s.webhookSecret) return { message: 'no webhook in use: nothing to renew or check' };
  const state = readUpkeepState(raw);
  const said: string[] = [];
  if (renewalDue(state.activeUntil, now)) {
    const r = await renewWebhook(client);
    if (r.activeUntil) state.activeUntil = r.activeUntil;
    said.push(`webhook renewed${r.activeUntil ? ` until ${r.activeUntil}` : ''}: ${r.message}`);
  } else said.push(`the webhook runs until ${state.activeUntil}`);
  if (!s.webhookHistory) return { state: JSON.stringify(state), message: said.join('; ') };

  const end = Math.floor(now.getTime() / 1000) * 1000;
  const oldest = end - HISTORY_KEPT_MS;
  let from = state.historyTo ? Date.parse(state.historyTo) - OVERLAP_MS : end - FIRST_LOOK_BACK_MS;
  if (from < oldest) {
    said.push(
      `webhook history before ${new Date(oldest).toISOString()} is past the month Accurate keeps and was not checked`,
    );
    from = oldest;
  }
  let listed = 0;
  let missing = 0;
  try {
    while (from < end) {
      const to = Math.min(from + WINDOW_MS, end);
      const rows = await webhookHistory(client, s, new Date(from), new Date(to));
      const deliveries = rows
        .map((row) => historyDelivery(row, s.databaseId))
        .filter((d): d is InboundDelivery => d !== undefined);
      listed += deliveries.length;
      missing += await ctx.recoverDeliveries(deliveries);
      // Kept window by window: a failure later resumes after what was compared.
      state.historyTo = new Date(to).toISOString();
      from = to;
    }
  } catch (e) {
    return {
      state: JSON.stringify(state),
      message: said.join('; '),
      problem: `Accurate's webhook history could not be read (${(e as Error).message}); only a token of a developer of the application may read webhook-history.do: connect with one, or turn off "Check webhooks against Accurate’s history"`,
    };
  }
  said.push(
    missing > 0
      ? `webhook history: ${missing} of ${listed} deliveries Accurate sent never arrived; they are now in the inbox`
      : `webhook history: all ${listed} deliveries Accurate sent are in the inbox`,
  );
  return { state: JSON.stringify(state), message: said.join('; ') };
}
