import { LedgerlinkError } from '../sdk/errors.js';
import type { AccurateClient } from './client.js';
import { fromAccurateDate, toAccurateDateTime } from './dates.js';
import type { AccurateSettings } from './settings.js';

export interface WebhookRenewal {
  /** The new last day of the subscription (ISO date), when Accurate says. */
  activeUntil?: string;
  message: string;
}

/**
 * webhook-renew.do (spec: "extends the webhook's active life"; no parameters). A subscription left
 * alone stops silently after 7 days (FACTS.md ⚠), so a refusal is thrown, never swallowed: the
 * scheduler's job fails loudly and a person sees it.
 */
export async function renewWebhook(client: AccurateClient): Promise<WebhookRenewal> {
  const b = await client.accountCall<unknown>(
    'GET',
    'api/webhook-renew.do',
    undefined,
    'to renew the webhook',
  );
  const text = typeof b.d === 'string' ? b.d : Array.isArray(b.d) ? b.d.join('; ') : '';
  let activeUntil: string | undefined;
  try {
    activeUntil = /\d{2}\/\d{2}\/\d{4}/.test(text)
      ? fromAccurateDate(/\d{2}\/\d{2}\/\d{4}/.exec(text)![0])
      : undefined;
  } catch {
    activeUntil = undefined;
  }
  return { ...(activeUntil ? { activeUntil } : {}), message: text || 'renewed' };
}

/** A renewal is due when the subscription ends within `marginDays`. */
export const renewalDue = (activeUntil: string | undefined, now: Date, marginDays = 2): boolean =>
  !activeUntil || Date.parse(`${activeUntil}T00:00:00+07:00`) - now.getTime() < marginDays * 86_400_000;

export async function webhookHistory(
  client: AccurateClient,
  s: AccurateSettings,
  from: Date,
  to: Date,
  type?: string,
): Promise<unknown[]> {
  if (to.getTime() - from.getTime() > 24 * 3600_000)
    throw new LedgerlinkError({
      code: 'config',
      category: 'config',
      message: 'webhook-history.do takes a window of at most 24 hours (spec)',
    });
  const b = await client.accountCall<unknown[]>('GET', 'api/webhook-history.do', {
    from: toAccurateDateTime(from),
    to: toAccurateDateTime(to),
    ...(/^\d+$/.test(s.databaseId) ? { databaseId: s.databaseId } : {}),
    ...(type ? { type } : {}),
  });
  return Array.isArray(b.d) ? b.d : [];
}
