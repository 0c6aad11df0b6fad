import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { Connector, ReadQuery } from '../connectors/sdk/contract.js';
import type { AcceptedFinding, Store, SyncRecord } from '../store/index.js';
import { EngineError } from './errors.js';
import type { Flow } from './flow.js';
import { parseFilterDate } from './ids-file.js';
import type { RecordPipeline } from './pipeline.js';
import { comparedFields, diffRecords, type FieldDiff, shown, TOTALS } from './reconcile-compare.js';
import { readTargets } from './target-reads.js';
import { entityWord } from './validate.js';

export type FindingKind =
  /** In the source, not on the target, and no link (never synced, or its webhook was lost). */
  | 'missing_in_target'
  /** Linked, but the target no longer has the record (deleted there). */
  | 'target_gone'
  /** On the target by its natural key, but not linked. */
  | 'not_linked'
  /** Linked, both there, and some compared field differs. */
  | 'differs'
  /** On the target in the period, linked to nothing of this pair of systems. */
  | 'only_in_target';

/** What a person can do about a finding: sync it again, link it by hand, or accept it as it is. */
export type FindingAction = 'resync' | 'link' | 'accept';

export interface Finding {
  /** `<kind>:<source id>:<target id>`: what an acceptance is kept under. */
  key: string;
  kind: FindingKind;
  sourceId: string | null;
  targetId: string | null;
  /** The link row, for the record actions (retry, link, unlink). */
  recordId: number | null;
  state: string | null;
  /** One sentence naming the record and what is wrong. */
  message: string;
  diffs: FieldDiff[];
  actions: FindingAction[];
  /** A short hash of what the finding shows; an acceptance holds while it stays the same. */
  fingerprint: string;
  accepted?: { by: string; reason: string | null; at: string };
}

export interface SideTotal {
  count: number;
  /** Sum of the amounts, a decimal string ("" for entities without an amount). */
  amount: string;
}

export interface DayTotal {
  day: string;
  currency: string;
  source: SideTotal;
  target: SideTotal;
  differs: boolean;
}

export interface ReconcileReport {
  flow: string;
  entity: string;
  sourceTitle: string;
  targetTitle: string;
  since: string | null;
  until: string | null;
  counts: {
    source: number;
    target: number;
    matched: number;
    /** Source records the flow does not send (its conditions, a person's skip). */
    notSent: number;
    drift: number;
    accepted: number;
  };
  findings: Finding[];
  totals: DayTotal[];
  /** What could not be checked, and why (a target that cannot be read or listed by date). */
  notes: string[];
}

export interface ReconcileParts {
  store: Store;
  flow: Flow;
  /** Flows between the same two systems the other way, for the same entity: their links count too. */
  reverseFlows: readonly string[];
  source: Connector;
  target: Connector;
  pipeline: RecordPipeline;
}

/** What an acceptance holds for: the differing values, or (one side only) when the source record last changed. */
const fingerprintOf = (kind: FindingKind, diffs: readonly FieldDiff[], basis: string | undefined) =>
  createHash('sha256')
    .update(JSON.stringify([kind, diffs, basis ?? null]))
    .digest('hex')
    .slice(0, 16);

/** Totals per day and currency, both sides: counts, and amounts summed as decimals. */
class Totals {
  private readonly rows = new Map<string, DayTotal>();
  constructor(private readonly spec: { day: string; amount?: string } | undefined) {}

  /**
   * `pairDay`: the day of the linked source record, for entities without a business date of their
   * own (customers, products): each system's "updated" day differs, the pair is one record.
   */
  add(side: 'source' | 'target', record: Record<string, unknown> | undefined, pairDay?: string): void {
    if (!record) return;
    const dayValue = this.spec ? record[this.spec.day] : (pairDay ?? record.updatedAt);
    const day = typeof dayValue === 'string' ? dayValue.slice(0, 10) : '(no date)';
    const m = this.spec?.amount ? record[this.spec.amount] : undefined;
    const money = m && typeof m === 'object' ? (m as { amount?: string; currency?: string }) : undefined;
    const currency = money?.currency ?? (typeof record.currency === 'string' ? record.currency : '');
    const key = `${day}|${currency}`;
    let row = this.rows.get(key);
    if (!row) {
      const empty = () => ({ count: 0, amount: this.spec?.amount ? '0' : '' });
      row = { day, currency, source: empty(), target: empty(), differs: false };
      this.rows.set(key, row);
    }
    row[side].count++;
    if (money?.amount !== undefined)
      row[side].amount = new Decimal(row[side].amount).plus(money.amount).toFixed();
  }

  list(): DayTotal[] {
    const out = [...this.rows.values()].sort((a, b) =>
      a.day === b.day ? a.currency.localeCompare(b.currency) : a.day.localeCompare(b.day),
    );
    for (const r of out)
      r.differs =
        r.source.count !== r.target.count ||
        (r.source.amount !== '' && !new Decimal(r.source.amount).equals(r.target.amount || '0'));
    return out;
  }
}

/**
 * Reconciliation of one flow over a period: both systems record by record through the link table.
 * Reads the source's records of the period (the batch date filter), plans each as a dry run would
 * (conditions, matching), reads the linked target records by id and, where the target lists this
 * entity by date, the target's records of the period; then names what is on one side only, what is
 * linked but differs field by field (money as decimals), and the totals per day and currency on
 * each side. Writes nothing: not to either system, not to the store (acceptances are kept by
 * `accept`, a person's act).
 */
export async function reconcile(
  parts: ReconcileParts,
  period: Pick<ReadQuery, 'since' | 'until'>,
  signal?: AbortSignal,
): Promise<ReconcileReport> {
  const { store, flow, source, target, pipeline } = parts;
  const word = entityWord(flow.entity);
  const sTitle = source.manifest.title;
  const tTitle = target.manifest.title;
  const fields = comparedFields(flow.entity, flow.ownedFields);
  const totals = new Totals(TOTALS[flow.entity]);
  const findings: Finding[] = [];
  const notes: string[] = [];
  const counts = { source: 0, target: 0, matched: 0, notSent: 0, drift: 0, accepted: 0 };
  const finding = (
    f: Omit<Finding, 'key' | 'fingerprint' | 'diffs' | 'recordId' | 'state'> & {
      diffs?: FieldDiff[];
      row?: SyncRecord;
      /** The source record's updatedAt: an accepted "one side only" comes back when the record changes. */
      basis?: string;
    },
  ) => {
    const diffs = f.diffs ?? [];
    const { row, basis, ...rest } = f;
    findings.push({
      ...rest,
      diffs,
      recordId: row?.id ?? null,
      state: row?.state ?? null,
      key: `${f.kind}:${f.sourceId ?? ''}:${f.targetId ?? ''}`,
      fingerprint: fingerprintOf(f.kind, diffs, basis),
    });
  };

  // The source side, planned as a dry run plans it.
  const linked = new Map<
    string,
    { sourceId: string; updatedAt: string; out: Record<string, unknown> | undefined; row: SyncRecord }
  >();
  const query: ReadQuery = {
    pageSize: flow.pageSize,
    ...(period.since ? { since: period.since } : {}),
    ...(period.until ? { until: period.until } : {}),
  };
  for await (const page of source.read(flow.entity, query, signal)) {
    for (const w of await pipeline.plan(page, true)) {
      counts.source++;
      const record = w.out ?? w.data;
      const row = w.prev;
      if (row?.target_id) {
        linked.set(row.target_id, { sourceId: w.sourceId, updatedAt: w.updatedAt, out: record, row });
        totals.add('source', record);
        continue;
      }
      if (w.plan.kind === 'skip') {
        counts.notSent++;
        continue;
      }
      totals.add('source', record);
      if (w.plan.kind === 'update' || w.plan.kind === 'unchanged') {
        finding({
          kind: 'not_linked',
          sourceId: w.sourceId,
          targetId: w.plan.targetId,
          message: `${word} ${w.label} is on ${tTitle} as ${w.plan.targetId} but not linked`,
          actions: ['link', 'accept'],
          basis: w.updatedAt,
          ...(row ? { row } : {}),
        });
        continue;
      }
      const why =
        w.plan.kind === 'fail'
          ? `: ${w.plan.error.message}`
          : w.plan.kind === 'wait'
            ? `: ${w.plan.reason}`
            : row
              ? ` (its sync state is ${row.state})`
              : ', and Ledgerlink never saw it (a missed webhook?)';
      finding({
        kind: 'missing_in_target',
        sourceId: w.sourceId,
        targetId: null,
        message: `${word} ${w.label} is in ${sTitle} but not on ${tTitle}${why}`,
        actions: ['resync', 'link', 'accept'],
        basis: w.updatedAt,
        ...(row ? { row } : {}),
      });
    }
  }

  // The linked target records, by id.
  const reads = await readTargets(target, flow.entity, [...linked.keys()], 'in a reconciliation', signal);
  if (reads.unread)
    notes.push(
      `${reads.unread}: ${linked.size} linked ${word}s are not compared (neither matching nor drift)`,
    );
  for (const [targetId, l] of linked) {
    if (reads.unread) continue;
    const onTarget = reads.current.get(targetId);
    if (!onTarget) {
      finding({
        kind: 'target_gone',
        sourceId: l.sourceId,
        targetId,
        message: `${word} ${l.sourceId} is linked to ${tTitle} ${targetId}, which ${tTitle} no longer has`,
        actions: ['resync', 'link', 'accept'],
        basis: l.updatedAt,
        row: l.row,
      });
      continue;
    }
    counts.target++;
    const sourceDay = l.out?.updatedAt;
    totals.add('target', onTarget, typeof sourceDay === 'string' ? sourceDay : undefined);
    const diffs = l.out ? diffRecords(fields, l.out, onTarget) : [];
    if (diffs.length === 0) {
      counts.matched++;
      continue;
    }
    const owned = diffs.some((d) => flow.ownedFields.includes(d.path.replace(/[[.].*$/, '')));
    finding({
      kind: 'differs',
      sourceId: l.sourceId,
      targetId,
      message: `${word} ${l.sourceId} differs on ${tTitle} ${targetId}: ${diffs
        .map((d) => `${d.path} ${shown(d.source)} in ${sTitle}, ${shown(d.target)} on ${tTitle}`)
        .join('; ')}`,
      diffs,
      // Only owned fields are written again; the rest is each system's own or written once.
      actions: owned ? ['resync', 'accept'] : ['accept'],
      row: l.row,
    });
  }

  // The target's own records of the period, where it lists them by date.
  const listed = target.manifest.entities[flow.entity]?.read;
  if (!listed || target.manifest.queuedReads)
    notes.push(`${tTitle} does not list ${word}s by date here: records only on ${tTitle} are not looked for`);
  else {
    for await (const page of target.read(flow.entity, query, signal)) {
      const unknown = page.filter((i) => !linked.has(i.id));
      if (unknown.length === 0) continue;
      const ids = unknown.map((i) => i.id);
      const known = new Set((await store.records.byTargetIds(flow.name, ids)).map((r) => r.target_id));
      for (const other of parts.reverseFlows)
        for (const id of (await store.records.getMany(other, ids)).keys()) known.add(id);
      for (const item of unknown) {
        if (known.has(item.id)) continue;
        counts.target++;
        const data = item.data as Record<string, unknown> | undefined;
        totals.add('target', data);
        const label = typeof data?.number === 'string' ? `${item.id} (${data.number})` : item.id;
        finding({
          kind: 'only_in_target',
          sourceId: null,
          targetId: item.id,
          message: `${word} ${label} is on ${tTitle} but linked to nothing in ${sTitle}`,
          actions: ['link', 'accept'],
        });
      }
    }
  }

  const accepted = await store.accepted.ofFlow(flow.name);
  for (const f of findings) {
    const a: AcceptedFinding | undefined = accepted.get(f.key);
    if (a && a.fingerprint === f.fingerprint) {
      f.accepted = { by: a.accepted_by, reason: a.reason, at: a.accepted_at };
      counts.accepted++;
    } else counts.drift++;
  }
  return {
    flow: flow.name,
    entity: flow.entity,
    sourceTitle: sTitle,
    targetTitle: tTitle,
    since: period.since ?? null,
    until: period.until ?? null,
    counts,
    findings,
    totals: totals.list(),
    notes,
  };
}

/** Days a reconcile covers when no start is given. */
export const DEFAULT_RECONCILE_DAYS = 7;

/**
 * The period of a reconcile from what a person typed (YYYY-MM-DD or ISO date-time with zone; a bare
 * end date includes its whole day): by default the last seven days up to now.
 */
export function reconcilePeriod(
  from: string | undefined,
  to: string | undefined,
  now = new Date(),
): { since: string; until: string } {
  const since = from
    ? parseFilterDate(from, 'from')
    : new Date(now.getTime() - DEFAULT_RECONCILE_DAYS * 86_400_000).toISOString();
  const until = to ? parseFilterDate(to, 'to', true) : now.toISOString();
  if (since > until)
    throw new EngineError('invalid_request', `from (${from ?? since}) is after to (${to ?? until})`);
  return { since, until };
}
