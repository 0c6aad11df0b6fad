import type { Kysely, Selectable } from 'kysely';
import type { AlertDeliveriesTable, AlertIncidentsTable, AlertRulesTable, Database } from '../schema.js';

export type AlertRuleRow = Selectable<AlertRulesTable>;
export type AlertIncidentRow = Selectable<AlertIncidentsTable>;
export type AlertDeliveryRow = Selectable<AlertDeliveriesTable>;

/** What a rule found wrong about one subject, as the evaluator hands it to the store. */
export interface Trouble {
  rule: string;
  subject: string;
  summary: string;
  details: Record<string, unknown>;
  link: string;
  since: string;
}

/** A finished run's figures, for what is usual of a flow. */
export interface RunFacts {
  id: number;
  flow: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  read_count: number;
  failed: number;
  message: string | null;
}

/** How long a claimed message is left to its sender before another process may send it. */
const LEASE_MS = 60_000;

/** Alert rules, incidents and their messages (migration 016), and the store's facts rules read. */
export class AlertRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async rules(): Promise<AlertRuleRow[]> {
    return this.db.selectFrom('alert_rules').selectAll().orderBy('kind').execute();
  }

  async saveRule(r: AlertRuleRow): Promise<void> {
    const { kind, ...rest } = r;
    await this.db
      .insertInto('alert_rules')
      .values(r)
      .onConflict((oc) => oc.column('kind').doUpdateSet(rest))
      .execute();
  }

  /** Opens an incident unless one is open for the rule and subject: the id when this call opened it. */
  async open(t: Trouble, now: string): Promise<number | undefined> {
    const row = await this.db
      .insertInto('alert_incidents')
      .values({
        rule: t.rule,
        subject: t.subject,
        open_key: `${t.rule}|${t.subject}`,
        summary: t.summary,
        details: JSON.stringify(t.details),
        link: t.link,
        since: t.since,
        opened_at: now,
        last_notified_at: null,
        resolved_at: null,
      })
      .onConflict((oc) => oc.column('open_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    return row ? Number(row.id) : undefined;
  }

  /** An open incident's latest words (counts move while it lasts); its opening time stays. */
  async refresh(id: number, t: Trouble): Promise<void> {
    await this.db
      .updateTable('alert_incidents')
      .set({ summary: t.summary, details: JSON.stringify(t.details), link: t.link })
      .where('id', '=', id)
      .where('resolved_at', 'is', null)
      .execute();
  }

  async openIncidents(): Promise<AlertIncidentRow[]> {
    return this.db
      .selectFrom('alert_incidents')
      .selectAll()
      .where('resolved_at', 'is', null)
      .orderBy('id')
      .execute();
  }

  /** True for the one caller that resolved it. */
  async resolve(id: number, now: string): Promise<boolean> {
    const r = await this.db
      .updateTable('alert_incidents')
      .set({ resolved_at: now, open_key: null })
      .where('id', '=', id)
      .where('resolved_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async incident(id: number): Promise<AlertIncidentRow | undefined> {
    return this.db.selectFrom('alert_incidents').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Incidents newest first; `state` open or resolved; the caller caps `limit`. */
  async incidents(q: {
    state?: 'open' | 'resolved';
    limit: number;
    offset: number;
  }): Promise<{ rows: AlertIncidentRow[]; total: number }> {
    let base = this.db.selectFrom('alert_incidents');
    if (q.state === 'open') base = base.where('resolved_at', 'is', null);
    if (q.state === 'resolved') base = base.where('resolved_at', 'is not', null);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirst(),
    ]);
    return { rows, total: Number(count?.n ?? 0) };
  }

  /** Incidents resolved since `after` whose "resolved" may still be owed. */
  async resolvedSince(after: string): Promise<AlertIncidentRow[]> {
    return this.db
      .selectFrom('alert_incidents')
      .selectAll()
      .where('resolved_at', '>=', after)
      .orderBy('id')
      .execute();
  }

  /** Adds a message unless it exists: sending it is then whoever claims it. */
  async enqueue(incidentId: number, event: string, channel: string, now: string): Promise<void> {
    await this.db
      .insertInto('alert_deliveries')
      .values({ incident_id: incidentId, event, channel, status: 'pending', attempts: 0, created_at: now })
      .onConflict((oc) => oc.columns(['incident_id', 'event', 'channel']).doNothing())
      .execute();
  }

  /** The channels that were told an incident opened (a "resolved" goes to those only). */
  async toldChannels(incidentId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('alert_deliveries')
      .select('channel')
      .distinct()
      .where('incident_id', '=', incidentId)
      .where('event', '=', 'opened')
      .execute();
    return rows.map((r) => r.channel);
  }

  /** Messages due (pending or failed), each claimed for this caller by a conditional update. */
  async claimDue(now: Date, limit = 100): Promise<AlertDeliveryRow[]> {
    const at = now.toISOString();
    const due = await this.db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('status', 'in', ['pending', 'failed'])
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', at)]))
      .orderBy('id')
      .limit(limit)
      .execute();
    const until = new Date(now.getTime() + LEASE_MS).toISOString();
    const claimed: AlertDeliveryRow[] = [];
    for (const d of due) {
      const r = await this.db
        .updateTable('alert_deliveries')
        .set({ claimed_until: until })
        .where('id', '=', d.id)
        .where('status', 'in', ['pending', 'failed'])
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', at)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) claimed.push({ ...d, claimed_until: until });
    }
    return claimed;
  }

  async sent(d: AlertDeliveryRow, at: string): Promise<void> {
    await this.db
      .updateTable('alert_deliveries')
      .set({ status: 'sent', sent_at: at, attempts: d.attempts + 1, error: null, claimed_until: null })
      .where('id', '=', d.id)
      .execute();
    await this.db
      .updateTable('alert_incidents')
      .set({ last_notified_at: at })
      .where('id', '=', d.incident_id)
      .execute();
  }

  /** Failed: due again at the next check (the lease is given back). */
  async failed(d: AlertDeliveryRow, error: string): Promise<void> {
    await this.db
      .updateTable('alert_deliveries')
      .set({ status: 'failed', attempts: d.attempts + 1, error: error.slice(0, 2000), claimed_until: null })
      .where('id', '=', d.id)
      .execute();
  }

  /** A message that no longer makes sense (a reminder of an incident that has ended). */
  async drop(d: AlertDeliveryRow, why: string): Promise<void> {
    await this.db
      .updateTable('alert_deliveries')
      .set({ status: 'dropped', error: why, claimed_until: null })
      .where('id', '=', d.id)
      .execute();
  }

  async deliveries(incidentIds: readonly number[]): Promise<AlertDeliveryRow[]> {
    if (!incidentIds.length) return [];
    return this.db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('incident_id', 'in', [...incidentIds])
      .orderBy('id')
      .execute();
  }

  /** Forgets incidents resolved before `before`, with their messages: how many incidents went. */
  async prune(before: string): Promise<number> {
    const old = this.db.selectFrom('alert_incidents').select('id').where('resolved_at', '<', before);
    await this.db.deleteFrom('alert_deliveries').where('incident_id', 'in', old).execute();
    const r = await this.db
      .deleteFrom('alert_incidents')
      .where('resolved_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // ---- facts the rules read -------------------------------------------------------------------

  /** A flow's latest runs, newest first (running ones included). */
  async recentRuns(flow: string, limit: number): Promise<RunFacts[]> {
    const rows = await this.db
      .selectFrom('runs')
      .select(['id', 'flow', 'status', 'started_at', 'finished_at', 'read_count', 'failed', 'message'])
      .where('flow', '=', flow)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      ...r,
      id: Number(r.id),
      read_count: Number(r.read_count),
      failed: Number(r.failed),
    }));
  }

  /** Failed records waiting for a person, per flow. */
  async failedRecords(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('sync_records')
      .select(['flow', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('state', '=', 'failed')
      .groupBy('flow')
      .execute();
    return new Map(rows.map((r) => [r.flow, Number(r.n)]));
  }

  /** A connection's latest verified deliveries' times, newest first. */
  async deliveryTimes(connection: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('webhook_inbox')
      .select('received_at')
      .where('connection', '=', connection)
      .where('verified', '=', 1)
      .orderBy('received_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.received_at);
  }

  /** Credentials named like an expiry (`…refresh_token_expires_at`): their connection and name (sealed values). */
  async expiryCredentials(): Promise<Array<{ connection: string; name: string }>> {
    return this.db
      .selectFrom('credentials')
      .select(['connection', 'name'])
      .where('name', 'like', '%refresh_token_expires_at')
      .execute();
  }

  /** Each connection's upkeep state (kept as a cursor named `upkeep:<connection>`). */
  async upkeepStates(): Promise<Array<{ connection: string; value: string }>> {
    const rows = await this.db
      .selectFrom('cursors')
      .select(['flow', 'value'])
      .where('flow', 'like', 'upkeep:%')
      .execute();
    return rows.map((r) => ({ connection: r.flow.slice('upkeep:'.length), value: r.value }));
  }
}
