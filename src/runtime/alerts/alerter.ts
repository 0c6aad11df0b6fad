import type { Logger } from 'pino';
import type { LoadedConfig } from '../../config/load.js';
import type { AlertIncidentRow, Store, Trouble } from '../../store/index.js';
import { type Channel, type Sender, sendersOf } from './channels.js';
import { messageOf } from './messages.js';
import {
  credentialExpiry,
  defaultRule,
  type Expiry,
  failedRecords,
  RULE_KINDS,
  type Rule,
  type RuleKind,
  runFailed,
  runStuck,
  webhookQuiet,
  zeroRecords,
} from './rules.js';

/** A "resolved" is still owed for incidents that ended this recently (a process down for a while). */
const RESOLVED_OWED_MS = 7 * 86_400_000;
/** Incidents resolved longer ago than this are forgotten, with their messages. */
const KEEP_RESOLVED_MS = 90 * 86_400_000;

export interface CheckResult {
  /** Incidents this check opened and resolved. */
  opened: number;
  resolved: number;
  /** Incidents open after it. */
  open: number;
  /** Messages sent and failed (failed ones are tried again at the next check). */
  sent: number;
  failed: number;
  /** Rules whose evaluation failed (their incidents are left as they were). */
  problems: string[];
}

/** The rules as they run: the store's rows over the defaults, one per kind. */
export async function currentRules(store: Store): Promise<Rule[]> {
  const rows = new Map((await store.alerts.rules()).map((r) => [r.kind, r]));
  return RULE_KINDS.map((kind) => {
    const base = defaultRule(kind);
    const row = rows.get(kind);
    if (!row) return base;
    let params: Record<string, number> = {};
    try {
      params = JSON.parse(row.params) as Record<string, number>;
    } catch {
      // Unreadable: the defaults stand.
    }
    return {
      kind,
      enabled: row.enabled === 1,
      params: { ...base.params, ...params },
      ...(row.scope ? { scope: row.scope } : {}),
    };
  });
}

/**
 * Evaluates the rules against the store, keeps incidents (one open per rule and subject, claimed in
 * the store), queues their messages and sends what is due. Every serving process runs it; the store's
 * claims make each message leave once however many do.
 */
export class Alerter {
  constructor(
    private readonly store: Store,
    private readonly config: () => LoadedConfig,
    private readonly logger: Logger,
    /** The dashboard's address messages link to. */
    private readonly baseUrl: () => string,
    /** Tests hand their own; otherwise the configuration's channels. */
    senders?: () => Map<Channel, Sender>,
  ) {
    this.senders = senders ?? (() => this.configuredSenders());
  }

  private readonly senders: () => Map<Channel, Sender>;
  private sendersFor?: { config: LoadedConfig['alerts']; senders: Map<Channel, Sender> };

  /** The configuration's channels, made again only when the configuration changed. */
  private configuredSenders(): Map<Channel, Sender> {
    const alerts = this.config().alerts;
    let made = this.sendersFor;
    if (!made || made.config !== alerts) {
      made = { config: alerts, senders: sendersOf(alerts) };
      this.sendersFor = made;
    }
    return made.senders;
  }

  /** Everything the rules find wrong now, and the rules that could not be evaluated. */
  async evaluate(now: Date): Promise<{ troubles: Trouble[]; evaluated: Set<string>; problems: string[] }> {
    const config = this.config();
    const troubles: Trouble[] = [];
    const evaluated = new Set<string>();
    const problems: string[] = [];
    const flows = [...config.flows.values()].filter((f) => f.enabled).map((f) => f.name);
    const connections = [...config.connections.keys()];
    for (const rule of await currentRules(this.store)) {
      if (!rule.enabled) continue;
      const inScope = (name: string) => !rule.scope || rule.scope === name;
      try {
        troubles.push(
          ...(await this.evaluateRule(rule, flows.filter(inScope), connections.filter(inScope), now)),
        );
        evaluated.add(rule.kind);
      } catch (e) {
        problems.push(`${rule.kind}: ${(e as Error).message}`);
        this.logger.warn({ err: e, rule: rule.kind }, 'an alert rule could not be evaluated');
      }
    }
    return { troubles, evaluated, problems };
  }

  private async evaluateRule(
    rule: Rule,
    flows: string[],
    connections: string[],
    now: Date,
  ): Promise<Trouble[]> {
    const out: Array<Trouble | undefined> = [];
    const p = rule.params;
    switch (rule.kind as RuleKind) {
      case 'run_failed':
        for (const f of flows) out.push(runFailed(f, await this.store.alerts.recentRuns(f, 5)));
        break;
      case 'failed_records': {
        const counts = await this.store.alerts.failedRecords();
        for (const f of flows) out.push(failedRecords(f, counts.get(f) ?? 0, p, now));
        break;
      }
      case 'zero_records':
        for (const f of flows)
          out.push(zeroRecords(f, await this.store.alerts.recentRuns(f, p.history ?? 20), p, now));
        break;
      case 'run_stuck':
        for (const f of flows)
          out.push(runStuck(f, await this.store.alerts.recentRuns(f, (p.history ?? 20) + 5), p, now));
        break;
      case 'webhook_quiet':
        for (const c of connections)
          out.push(webhookQuiet(c, await this.store.alerts.deliveryTimes(c, p.history ?? 50), p, now));
        break;
      case 'credential_expiry':
        for (const e of await this.expiries(connections)) out.push(credentialExpiry(e, p, now));
        break;
    }
    return out.filter((t): t is Trouble => t !== undefined);
  }

  /** Refresh tokens whose end the system told us, and webhook subscriptions an upkeep renews. */
  private async expiries(connections: string[]): Promise<Expiry[]> {
    const known = new Set(connections);
    const out: Expiry[] = [];
    for (const c of await this.store.alerts.expiryCredentials()) {
      if (!known.has(c.connection)) continue;
      const value = await this.store.credentials.forConnection(c.connection).get(c.name);
      if (value && !Number.isNaN(Date.parse(value)))
        out.push({ connection: c.connection, what: 'refresh token', expiresAt: value });
    }
    for (const u of await this.store.alerts.upkeepStates()) {
      if (!known.has(u.connection)) continue;
      const until = activeUntil(u.value);
      if (until) out.push({ connection: u.connection, what: 'webhook subscription', expiresAt: until });
    }
    return out;
  }

  /** One round: evaluate, open and resolve incidents, queue their messages, send what is due. */
  async check(o: { now?: Date } = {}): Promise<CheckResult> {
    const now = o.now ?? new Date();
    const at = now.toISOString();
    const { troubles, evaluated, problems } = await this.evaluate(now);
    const open = new Map((await this.store.alerts.openIncidents()).map((i) => [`${i.rule}|${i.subject}`, i]));
    let opened = 0;
    let resolved = 0;
    const found = new Set<string>();
    for (const t of troubles) {
      const key = `${t.rule}|${t.subject}`;
      found.add(key);
      const existing = open.get(key);
      if (existing) await this.store.alerts.refresh(Number(existing.id), t);
      else if ((await this.store.alerts.open(t, at)) !== undefined) {
        opened++;
        this.logger.warn({ rule: t.rule, subject: t.subject }, `alert: ${t.summary}`);
      }
    }
    // An incident ends when its rule, evaluated, no longer finds it (or the rule was turned off).
    const enabled = new Set((await currentRules(this.store)).filter((r) => r.enabled).map((r) => r.kind));
    for (const [key, i] of open) {
      if (found.has(key)) continue;
      if (enabled.has(i.rule as RuleKind) && !evaluated.has(i.rule)) continue;
      if (await this.store.alerts.resolve(Number(i.id), at)) {
        resolved++;
        this.logger.info({ rule: i.rule, subject: i.subject }, `alert resolved: ${i.summary}`);
      }
    }
    await this.queueMessages(now);
    const { sent, failed } = await this.sendDue(now);
    await this.store.alerts.prune(new Date(now.getTime() - KEEP_RESOLVED_MS).toISOString());
    return {
      opened,
      resolved,
      open: (await this.store.alerts.openIncidents()).length,
      sent,
      failed,
      problems,
    };
  }

  /**
   * Each message an incident is owed, added once (a row unique per incident, event and channel): the
   * first on every configured channel, a reminder per elapsed reminder interval and a "resolved" on
   * the channels that were told it opened.
   */
  private async queueMessages(now: Date): Promise<void> {
    const at = now.toISOString();
    const channels = [...this.senders().keys()];
    const reminderMs = (this.config().alerts?.reminderHours ?? 4) * 3_600_000;
    for (const i of await this.store.alerts.openIncidents()) {
      const id = Number(i.id);
      for (const c of channels) await this.store.alerts.enqueue(id, 'opened', c, at);
      const n = Math.floor((now.getTime() - Date.parse(i.opened_at)) / reminderMs);
      if (n >= 1)
        for (const c of await this.store.alerts.toldChannels(id))
          await this.store.alerts.enqueue(id, `reminder:${n}`, c, at);
    }
    const after = new Date(now.getTime() - RESOLVED_OWED_MS).toISOString();
    for (const i of await this.store.alerts.resolvedSince(after))
      for (const c of await this.store.alerts.toldChannels(Number(i.id)))
        await this.store.alerts.enqueue(Number(i.id), 'resolved', c, at);
  }

  private async sendDue(now: Date): Promise<{ sent: number; failed: number }> {
    const senders = this.senders();
    let sent = 0;
    let failed = 0;
    const incidents = new Map<number, AlertIncidentRow | undefined>();
    for (const d of await this.store.alerts.claimDue(now)) {
      const id = Number(d.incident_id);
      if (!incidents.has(id)) incidents.set(id, await this.store.alerts.incident(id));
      const incident = incidents.get(id);
      const send = senders.get(d.channel as Channel);
      const event = d.event.startsWith('reminder') ? 'reminder' : (d.event as 'opened' | 'resolved');
      if (!incident || !send) {
        await this.store.alerts.drop(
          d,
          incident ? `the ${d.channel} channel is no longer configured` : 'no such incident',
        );
        continue;
      }
      if (event === 'reminder' && incident.resolved_at) {
        await this.store.alerts.drop(d, 'the incident ended before its reminder went');
        continue;
      }
      try {
        await send(messageOf(incident, event, this.baseUrl(), now));
        await this.store.alerts.sent(d, new Date().toISOString());
        sent++;
      } catch (e) {
        failed++;
        await this.store.alerts.failed(d, (e as Error).message);
        this.logger.warn(
          { err: e, channel: d.channel, incident: id, event: d.event },
          'an alert could not be sent; it is tried again at the next check',
        );
      }
    }
    return { sent, failed };
  }
}

/** The end of a webhook subscription an upkeep keeps (`{"activeUntil": "2026-12-31"}` or the bare date). */
export function activeUntil(raw: string): string | undefined {
  let v: unknown = raw;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    try {
      v = (JSON.parse(raw) as { activeUntil?: unknown }).activeUntil;
    } catch {
      return undefined;
    }
  }
  if (typeof v !== 'string') return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v;
  return Number.isNaN(Date.parse(iso)) ? undefined : new Date(iso).toISOString();
}

/** Where messages point: the alerts' dashboardUrl, else server.publicUrl, else where the process listens. */
export function dashboardUrl(config: LoadedConfig, listening?: string): string {
  return (
    config.alerts?.dashboardUrl ??
    config.server.publicUrl ??
    listening ??
    `http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${config.server.port}`
  );
}
