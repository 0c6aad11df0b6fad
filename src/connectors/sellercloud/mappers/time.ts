/**
 * A SellerCloud date-time as an instant with its zone. Answers carry "Z" (the rate limit's
 * RateLimitResetTime, Get Single Order's example); one without a zone is taken as UTC (FACTS.md ⚠).
 */
export function scInstant(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const zoned = /[zZ]$|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const t = Date.parse(zoned);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** The calendar date of an instant, in UTC. */
export const dateOf = (iso: string): string => iso.slice(0, 10);
