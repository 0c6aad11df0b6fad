import { describe, expect, it } from 'vitest';
import type { RunFacts } from '../../store/index.js';
import { activeUntil } from './alerter.js';
import { textOf, webhookBody } from './messages.js';
import {
  credentialExpiry,
  defaultRule,
  failedRecords,
  median,
  paramProblem,
  runFailed,
  runStuck,
  webhookQuiet,
  zeroRecords,
} from './rules.js';

const H = 3_600_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A finished run every `everyH` hours, newest first, reading `reads(i)` records (i = 0 the oldest). */
function history(n: number, everyH: number, reads: (i: number) => number, status = 'succeeded'): RunFacts[] {
  const runs: RunFacts[] = [];
  for (let i = 0; i < n; i++)
    runs.push({
      id: i + 1,
      flow: 'f',
      status,
      started_at: iso(T0 + i * everyH * H),
      finished_at: iso(T0 + i * everyH * H + 60_000),
      read_count: reads(i),
      failed: 0,
      message: null,
    });
  return runs.reverse();
}

describe('alert rules', () => {
  it('run failed: only when the last ended run failed; a running one does not hide it, a later success ends it', () => {
    const ok = history(3, 1, () => 5);
    expect(runFailed('f', ok)).toBeUndefined();
    const failed: RunFacts = { ...ok[0]!, id: 4, status: 'failed', message: 'Acumatica answered 500' };
    const running: RunFacts = { ...ok[0]!, id: 5, status: 'running', finished_at: null };
    const t = runFailed('f', [running, failed, ...ok]);
    expect(t?.subject).toBe('flow:f');
    expect(t?.summary).toContain('run 4 failed — Acumatica answered 500');
    expect(t?.link).toBe('/flows/f');
    expect(runFailed('f', [{ ...failed, id: 6, status: 'succeeded' }, failed, ...ok])).toBeUndefined();
  });

  it('failed records: above the threshold, not at it', () => {
    const now = new Date(T0);
    expect(failedRecords('f', 10, { threshold: 10 }, now)).toBeUndefined();
    expect(failedRecords('f', 11, { threshold: 10 }, now)?.link).toBe('/log?flow=f&status=failed');
  });

  it('0 records: a flow that reads every hour and has read none for longer than 3 × that (and 2 h)', () => {
    const p = defaultRule('zero_records').params;
    // Ten hourly runs that read, then runs that read nothing.
    const runs = history(14, 1, (i) => (i < 10 ? 7 : 0));
    const lastRead = T0 + 9 * H + 60_000;
    expect(zeroRecords('f', runs, p, new Date(lastRead + 2.5 * H))).toBeUndefined();
    const t = zeroRecords('f', runs, p, new Date(lastRead + 3.5 * H));
    expect(t?.summary).toMatch(/4 runs read no records for 3 h 30 min \(it usually reads every 60 min\)/);
    // The floor: a flow reading every 10 minutes is not called quiet before minHours.
    const fast = history(20, 1 / 6, (i) => (i < 10 ? 3 : 0));
    const lastFast = T0 + 9 * (H / 6) + 60_000;
    expect(zeroRecords('f', fast, p, new Date(lastFast + 1.9 * H))).toBeUndefined();
    expect(zeroRecords('f', fast, p, new Date(lastFast + 2.1 * H))).toBeDefined();
    // One that never reads, or stopped running at all, is not this anomaly.
    expect(
      zeroRecords(
        'f',
        history(10, 1, () => 0),
        p,
        new Date(T0 + 100 * H),
      ),
    ).toBeUndefined();
    expect(
      zeroRecords(
        'f',
        history(10, 1, () => 4),
        p,
        new Date(T0 + 100 * H),
      ),
    ).toBeUndefined();
  });

  it('stuck run: running longer than factor × the median duration, never before minMinutes', () => {
    const p = { history: 20, factor: 3, minMinutes: 30 };
    const done = history(5, 1, () => 1).map((r) => ({
      ...r,
      finished_at: iso(Date.parse(r.started_at) + 20 * 60_000),
    }));
    const start = T0 + 10 * H;
    const running: RunFacts = {
      ...done[0]!,
      id: 9,
      status: 'running',
      started_at: iso(start),
      finished_at: null,
    };
    expect(runStuck('f', [running, ...done], p, new Date(start + 59 * 60_000))).toBeUndefined();
    const t = runStuck('f', [running, ...done], p, new Date(start + 61 * 60_000));
    expect(t?.summary).toContain('run 9 has been running 61 min (it usually takes 20 min)');
    expect(runStuck('f', done, p, new Date(start + 10 * H))).toBeUndefined();
  });

  it('quiet webhooks: five deliveries at least, then factor × the median gap and minMinutes', () => {
    const p = { history: 50, factor: 5, minMinutes: 60 };
    const times = Array.from({ length: 6 }, (_, i) => iso(T0 + (5 - i) * 20 * 60_000));
    const last = T0 + 100 * 60_000;
    expect(webhookQuiet('acumatica', times, p, new Date(last + 99 * 60_000))).toBeUndefined();
    const t = webhookQuiet('acumatica', times, p, new Date(last + 101 * 60_000));
    expect(t?.subject).toBe('connection:acumatica');
    expect(t?.link).toBe('/webhooks?connection=acumatica');
    expect(webhookQuiet('acumatica', times.slice(0, 4), p, new Date(last + 100 * H))).toBeUndefined();
  });

  it('credentials: within `days` of their end, and once past it', () => {
    const now = new Date(T0);
    const e = { connection: 'qbo', what: 'refresh token' as const, expiresAt: iso(T0 + 8 * 24 * H) };
    expect(credentialExpiry(e, { days: 7 }, now)).toBeUndefined();
    expect(credentialExpiry(e, { days: 9 }, now)?.summary).toBe(
      'qbo: the refresh token expires in 8 days (2026-12-09)',
    );
    expect(credentialExpiry({ ...e, expiresAt: iso(T0 - H) }, { days: 7 }, now)?.summary).toContain(
      'expired',
    );
    expect(activeUntil('{"activeUntil":"2026-12-07","historyTo":"x"}')).toBe('2026-12-07T00:00:00.000Z');
    expect(activeUntil('2026-12-07')).toBe('2026-12-07T00:00:00.000Z');
    expect(activeUntil('{}')).toBeUndefined();
  });

  it('parameters are checked against their ranges, naming the field', () => {
    expect(paramProblem('failed_records', 'threshold', 5)).toBeUndefined();
    expect(paramProblem('failed_records', 'threshold', -1)).toBe(
      'params.threshold must be between 0 and 1000000',
    );
    expect(paramProblem('run_failed', 'threshold', 1)).toBe('run_failed has no parameter "threshold"');
    expect(median([5, 1, 3, 2])).toBe(2.5);
  });

  it('messages say what, since when and where; Slack and Teams bodies carry the link', () => {
    const m = {
      event: 'opened' as const,
      incident: 1,
      rule: 'run_failed',
      ruleTitle: 'A run failed',
      subject: 'flow:f',
      summary: 'f: run 4 failed',
      since: '2026-12-01T00:00:00.000Z',
      openedAt: '2026-12-01T00:00:01.000Z',
      details: {},
      link: 'http://127.0.0.1:3000/flows/f',
      alertsLink: 'http://127.0.0.1:3000/alerts',
    };
    expect(textOf(m)).toContain('Since: 2026-12-01T00:00:00.000Z');
    expect(textOf(m)).toContain('Details: http://127.0.0.1:3000/flows/f');
    const slack = webhookBody(m, 'slack') as { text: string; blocks: unknown[] };
    expect(slack.text).toContain('<http://127.0.0.1:3000/flows/f|details>');
    const teams = webhookBody(m, 'teams') as {
      '@type': string;
      potentialAction: Array<{ targets: Array<{ uri: string }> }>;
    };
    expect(teams['@type']).toBe('MessageCard');
    expect(teams.potentialAction[0]!.targets[0]!.uri).toBe(m.link);
  });
});
