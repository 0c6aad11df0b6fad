import type { RunFacts, Trouble } from '../../store/index.js';

/**
 * The alert rules: what each watches, its parameters and their defaults. Each check is a pure
 * function of what the store holds and the time, so the unit tests give it a history and a clock.
 * "Usual" is always the median of recent history (a median shrugs off one odd run), never below a
 * floor a person can raise.
 */
export const RULE_KINDS = [
  'run_failed',
  'failed_records',
  'zero_records',
  'run_stuck',
  'webhook_quiet',
  'credential_expiry',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export interface ParamSpec {
  default: number;
  min: number;
  max: number;
  /** What it means, as the screen and the API documentation say it. */
  label: string;
}

export const RULES: Record<RuleKind, { title: string; params: Record<string, ParamSpec> }> = {
  run_failed: { title: 'A run failed', params: {} },
  failed_records: {
    title: 'Failed records above a threshold',
    params: {
      threshold: {
        default: 10,
        min: 0,
        max: 1_000_000,
        label: 'alert when more records than this wait failed',
      },
    },
  },
  zero_records: {
    title: 'A flow that usually reads records reads none',
    params: {
      history: { default: 20, min: 3, max: 500, label: 'runs looked back at' },
      factor: { default: 3, min: 1, max: 100, label: 'times the usual gap between runs that read records' },
      minHours: { default: 2, min: 0, max: 24 * 90, label: 'never sooner than this many hours' },
    },
  },
  run_stuck: {
    title: 'A run takes much longer than usual',
    params: {
      history: { default: 20, min: 1, max: 500, label: 'finished runs looked back at' },
      factor: { default: 3, min: 1, max: 100, label: 'times the usual duration' },
      minMinutes: { default: 30, min: 0, max: 24 * 60 * 30, label: 'never sooner than this many minutes' },
    },
  },
  webhook_quiet: {
    title: 'A webhook intake went quiet',
    params: {
      history: { default: 50, min: 5, max: 1000, label: 'deliveries looked back at' },
      factor: { default: 5, min: 1, max: 1000, label: 'times the usual gap between deliveries' },
      minMinutes: { default: 60, min: 0, max: 24 * 60 * 90, label: 'never sooner than this many minutes' },
    },
  },
  credential_expiry: {
    title: 'A credential or webhook subscription expires soon',
    params: {
      days: { default: 7, min: 0, max: 365, label: 'alert this many days before' },
    },
  },
};

export interface Rule {
  kind: RuleKind;
  enabled: boolean;
  params: Record<string, number>;
  /** Only this flow or connection (absent: every one). */
  scope?: string;
}

export function defaultRule(kind: RuleKind): Rule {
  return {
    kind,
    enabled: true,
    params: Object.fromEntries(Object.entries(RULES[kind].params).map(([k, p]) => [k, p.default])),
  };
}

/** A value out of a parameter's range, named: `params.factor must be between 1 and 100`. */
export function paramProblem(kind: RuleKind, name: string, value: unknown): string | undefined {
  const spec = RULES[kind].params[name];
  if (!spec) return `${kind} has no parameter "${name}"`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `params.${name} must be a number`;
  if (value < spec.min || value > spec.max)
    return `params.${name} must be between ${spec.min} and ${spec.max}`;
  return undefined;
}

const ms = (iso: string) => Date.parse(iso);

export function median(xs: readonly number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** "3 h 20 min", "45 s": how long, said plainly. */
export function span(msValue: number): string {
  const s = Math.max(0, Math.round(msValue / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  return `${Math.round(h / 24)} days`;
}

const flowLink = (flow: string) => `/flows/${encodeURIComponent(flow)}`;
const ENDED = new Set(['succeeded', 'completed_with_failures', 'failed']);

/** The flow's last ended run failed (a run that could not read or write at all, not a record). */
export function runFailed(flow: string, runs: readonly RunFacts[]): Trouble | undefined {
  const last = runs.find((r) => ENDED.has(r.status));
  if (last?.status !== 'failed') return undefined;
  return {
    rule: 'run_failed',
    subject: `flow:${flow}`,
    summary: `${flow}: run ${last.id} failed${last.message ? ` — ${last.message}` : ''}`,
    details: { flow, run: last.id, message: last.message },
    link: flowLink(flow),
    since: last.finished_at ?? last.started_at,
  };
}

export function failedRecords(
  flow: string,
  count: number,
  p: Record<string, number>,
  now: Date,
): Trouble | undefined {
  const threshold = p.threshold ?? RULES.failed_records.params.threshold!.default;
  if (count <= threshold) return undefined;
  return {
    rule: 'failed_records',
    subject: `flow:${flow}`,
    summary: `${flow}: ${count} failed records wait for a person (alert above ${threshold})`,
    details: { flow, failed: count, threshold },
    link: `/log?flow=${encodeURIComponent(flow)}&status=failed`,
    since: now.toISOString(),
  };
}

/**
 * The "0 records" anomaly: the flow keeps running, its runs used to read records, and none has for
 * longer than `factor` × the usual gap between runs that read (at least `minHours`). A flow that
 * stopped running is another matter (the scheduler, a disabled flow); one that never reads is quiet
 * by nature.
 */
export function zeroRecords(
  flow: string,
  runs: readonly RunFacts[],
  p: Record<string, number>,
  now: Date,
): Trouble | undefined {
  const ended = runs.filter((r) => r.status === 'succeeded' || r.status === 'completed_with_failures');
  const reading = ended.filter((r) => r.read_count > 0);
  if (reading.length < 2) return undefined;
  const last = reading[0]!;
  const since = ended.filter((r) => r.id > last.id);
  if (!since.length) return undefined;
  const gaps = reading.slice(1).map((r, i) => ms(reading[i]!.started_at) - ms(r.started_at));
  const usual = median(gaps) ?? 0;
  const limit = Math.max((p.minHours ?? 2) * 3_600_000, (p.factor ?? 3) * usual);
  const quiet = now.getTime() - ms(last.finished_at ?? last.started_at);
  if (quiet <= limit) return undefined;
  return {
    rule: 'zero_records',
    subject: `flow:${flow}`,
    summary: `${flow}: ${since.length} runs read no records for ${span(quiet)} (it usually reads every ${span(usual)})`,
    details: {
      flow,
      lastRead: { run: last.id, records: last.read_count, at: last.finished_at },
      emptyRuns: since.length,
      usualGapMs: usual,
      limitMs: limit,
    },
    link: flowLink(flow),
    since: last.finished_at ?? last.started_at,
  };
}

/** A run still running after `factor` × the flow's median duration (at least `minMinutes`). */
export function runStuck(
  flow: string,
  runs: readonly RunFacts[],
  p: Record<string, number>,
  now: Date,
): Trouble | undefined {
  const running = runs.filter((r) => r.status === 'running');
  if (!running.length) return undefined;
  const durations = runs
    .filter((r) => ENDED.has(r.status) && r.finished_at)
    .slice(0, p.history ?? 20)
    .map((r) => ms(r.finished_at!) - ms(r.started_at));
  const usual = median(durations) ?? 0;
  const limit = Math.max((p.minMinutes ?? 30) * 60_000, (p.factor ?? 3) * usual);
  const oldest = running[running.length - 1]!;
  const took = now.getTime() - ms(oldest.started_at);
  if (took <= limit) return undefined;
  return {
    rule: 'run_stuck',
    subject: `flow:${flow}`,
    summary: `${flow}: run ${oldest.id} has been running ${span(took)} (it usually takes ${span(usual)})`,
    details: { flow, run: oldest.id, startedAt: oldest.started_at, usualMs: usual, limitMs: limit },
    link: flowLink(flow),
    since: oldest.started_at,
  };
}

/**
 * A connection whose webhooks used to arrive, silent for `factor` × the usual gap between its
 * deliveries (at least `minMinutes`). Needs five deliveries before it calls anything usual.
 */
export function webhookQuiet(
  connection: string,
  times: readonly string[],
  p: Record<string, number>,
  now: Date,
): Trouble | undefined {
  if (times.length < 5) return undefined;
  const gaps = times.slice(1).map((t, i) => ms(times[i]!) - ms(t));
  const usual = median(gaps) ?? 0;
  const limit = Math.max((p.minMinutes ?? 60) * 60_000, (p.factor ?? 5) * usual);
  const quiet = now.getTime() - ms(times[0]!);
  if (quiet <= limit) return undefined;
  return {
    rule: 'webhook_quiet',
    subject: `connection:${connection}`,
    summary: `${connection}: no webhook delivery for ${span(quiet)} (they usually come every ${span(usual)})`,
    details: { connection, lastDelivery: times[0], usualGapMs: usual, limitMs: limit },
    link: `/webhooks?connection=${encodeURIComponent(connection)}`,
    since: times[0]!,
  };
}

/** Something a connection holds that ends on a date: an OAuth refresh token, a webhook subscription. */
export interface Expiry {
  connection: string;
  what: 'refresh token' | 'webhook subscription';
  expiresAt: string;
}

export function credentialExpiry(e: Expiry, p: Record<string, number>, now: Date): Trouble | undefined {
  const days = p.days ?? 7;
  const left = ms(e.expiresAt) - now.getTime();
  if (Number.isNaN(left) || left > days * 86_400_000) return undefined;
  const key = e.what === 'refresh token' ? 'refresh-token' : 'webhook-subscription';
  return {
    rule: 'credential_expiry',
    subject: `credential:${e.connection}:${key}`,
    summary:
      left > 0
        ? `${e.connection}: the ${e.what} expires in ${span(left)} (${e.expiresAt.slice(0, 10)})`
        : `${e.connection}: the ${e.what} expired on ${e.expiresAt.slice(0, 10)}`,
    details: { connection: e.connection, what: e.what, expiresAt: e.expiresAt, days },
    link: '/connections',
    since: now.toISOString(),
  };
}
