import type { Logger } from 'pino';
import {
  type Connector,
  isWritten,
  type References,
  type SourceItem,
  type TargetRecord,
  type WriteItem,
  type WriteResult,
} from '../connectors/sdk/contract.js';
import { type ErrorData, LedgerlinkError, toErrorData } from '../connectors/sdk/errors.js';
import { fieldHash } from '../connectors/sdk/field-hash.js';
import { entityKeyField } from '../model/index.js';
import type { Store, SyncRecord } from '../store/index.js';
import type { ConditionSet, Expression } from './conditions.js';
import type { Dependency, Flow } from './flow.js';
import { changedFields, fieldHashes, hashOf, parseHashes } from './hash.js';
import { OldestFirst } from './oldest-first.js';
import type { FieldChange, Plan, PreviewRow, RecordOutcome } from './outcome.js';
import { planReason } from './outcome.js';
import { persistOutcomes } from './persist.js';
import { skipReason } from './record-actions.js';
import { ReferenceResolver, type ReferenceState } from './references.js';
import { readTargets, type TargetReads } from './target-reads.js';
import { entityWord, recordLabel, validateRecord } from './validate.js';
import type { FlowValueMaps } from './value-maps.js';

export interface PipelineContext {
  store: Store;
  flow: Flow;
  source: Connector;
  target: Connector;
  conditions: ConditionSet;
  transform?: Expression;
  dependencies: ReadonlyArray<{ dep: Dependency; ids: Expression }>;
  valueMaps: FlowValueMaps;
  /** Finds what records refer to on the target (syncing missing predecessors first when asked). */
  references?: ReferenceResolver;
  /** Called with the records that succeeded, so records waiting on them are released. */
  onSucceeded?: (flow: string, done: ReadonlyArray<{ sourceId: string; targetId?: string }>) => Promise<void>;
  /** Called with records stored as waiting whose predecessor had succeeded meanwhile: due now. */
  onUnblocked?: (flow: string, sourceIds: readonly string[]) => Promise<void>;
  logger: Logger;
}

/** One record on its way through the pipeline. */
export interface WorkItem {
  sourceId: string;
  updatedAt: string;
  label: string;
  /** The canonical record in the source's codes (what is kept for a retry or a person's edit). */
  data?: Record<string, unknown>;
  /** The same record in the target's codes (value maps applied): what is matched, hashed and written. */
  out?: Record<string, unknown>;
  /** The target ids of what the record refers to. */
  refs?: References;
  /** The source ids it refers to, per dependency (in the flow's order). */
  needs?: string[][];
  /** "<entity>:<connection>:<id>" of the records it refers to, on both systems, for the connector log. */
  related?: string[];
  prev?: SyncRecord;
  naturalKey?: string;
  ownedHash?: string;
  /**
   * What a record the target skipped, or found already as asked, keeps as its last_hash: the fields
   * it settled (undefined: the link's hashes stay).
   */
  settledHash?: string;
  existing?: TargetRecord;
  /**
   * A person's sticky skip met again: `clear` when the source record changed since (it goes),
   * `adopt` when the skip kept no hash (this copy becomes the one skipped).
   */
  manualSkip?: { kind: 'clear' } | { kind: 'adopt'; hash: string };
  /** The predecessor a waiting record waits on: looked at again once the wait is stored. */
  waitsFor?: { dep: Dependency; id: string };
  /** The same for an oldest-first record held back by an earlier one's stored hold (oldest-first.ts). */
  waitsOnHold?: { flow: string; id: string };
  plan: Plan;
}

const fail = (error: ErrorData): Plan => ({ kind: 'fail', error });

/**
 * The record pipeline of one flow: validate, transform, conditions, dependencies, match (link table,
 * then natural key), diff by hash, policy — `plan` — then write, write back, persist and log —
 * `execute`. A page of records moves through each step together so lookups and writes are batched.
 */
export class RecordPipeline {
  constructor(private readonly ctx: PipelineContext) {}

  /**
   * `preview`: decide only; predecessors are checked, never synced. `known`: the records' link rows,
   * already read under the page's locks (RecordLocks.hold); read here when not given.
   */
  async plan(
    items: readonly SourceItem[],
    preview = false,
    known?: ReadonlyMap<string, SyncRecord>,
  ): Promise<WorkItem[]> {
    const { flow, store } = this.ctx;
    const prevRows =
      known ??
      (await store.records.getMany(
        flow.name,
        items.map((i) => i.id),
      ));
    const work: WorkItem[] = [];
    for (const item of items) {
      const prev = prevRows.get(item.id);
      const w: WorkItem = {
        sourceId: item.id,
        updatedAt: item.updatedAt,
        label: item.id,
        plan: { kind: 'create' },
        ...(prev ? { prev } : {}),
      };
      work.push(w);
      if (item.error) {
        w.plan = fail(item.error);
        continue;
      }
      if (
        prev?.state === 'processed' &&
        prev.target_id &&
        prev.source_updated_at &&
        item.updatedAt < prev.source_updated_at
      ) {
        // An older copy (a poll that paged before a webhook's fresher write) never overwrites newer data.
        w.plan = { kind: 'unchanged', targetId: prev.target_id };
        continue;
      }
      let data: unknown = item.data;
      if (this.ctx.transform) {
        try {
          data = await this.ctx.transform.evaluate(data);
        } catch (e) {
          w.plan = fail({
            code: 'invalid_data',
            category: 'config',
            message: `the flow's transform failed on ${item.id}: ${(e as Error).message}`,
          });
          continue;
        }
      }
      const valid = validateRecord(flow.entity, item.id, data);
      if (!valid.ok) {
        w.plan = fail({ code: 'invalid_data', category: 'rejected', message: valid.message });
        continue;
      }
      w.data = valid.data;
      w.label = recordLabel(flow.entity, valid.data, item.id);
      await this.noteNeeds(w);
      if (prev?.skipped_by) this.stickySkip(w, prev);
    }
    // Linked ones too: an echo read again (every change in the ERP reads it again) is still an echo,
    // and the flow's conditions are not its to meet — it was logged "skipped — unpaid balance" —
    // unless the flow owns its echoes (master data), which it keeps up to date once linked.
    await this.recogniseEchoes(
      work.filter((w) => w.plan.kind === 'create' && !(w.prev?.target_id && flow.ownsEchoes)),
    );
    for (const w of work) {
      if (w.plan.kind !== 'create') continue;
      const verdict = await this.ctx.conditions.evaluate(w.data);
      if (!verdict.passed) {
        w.plan = { kind: 'skip', reason: verdict.reason ?? 'a sync condition is not met' };
        continue;
      }
      const mapped = this.ctx.valueMaps.apply(w.data!);
      if (mapped.ok) {
        w.out = mapped.data;
        // The seed's "Use Id in customer data as the mapping": on (source), a new customer keeps the
        // number it has in the source; off (target), the target numbers it — the number then only links.
        if (flow.idMapping === 'target' && flow.entity === 'customer')
          w.out = { ...w.out, internalNumber: true };
      } else
        w.plan = fail({
          ...mapped.error,
          message: `${entityWord(flow.entity)} ${w.label}: ${mapped.error.message}`,
        });
    }
    await this.applyDependencies(
      work.filter((w) => w.plan.kind === 'create'),
      preview,
    );
    await this.match(work.filter((w) => w.plan.kind === 'create'));
    if (flow.oldestFirst) {
      const order = new OldestFirst(store, flow);
      order.sort(work);
      await order.holdBack(work);
    }
    return work;
  }

  /**
   * A record a person skipped stays skipped while the source sends it unchanged — the reason names
   * who skipped it and why — and goes again once it changed.
   */
  private stickySkip(w: WorkItem, prev: SyncRecord): void {
    const { flow, valueMaps } = this.ctx;
    const kept = prev.skipped_hash ?? null;
    let same: boolean;
    if (kept === null) {
      same = true;
      w.manualSkip = { kind: 'adopt', hash: `data:${hashOf(w.data)}` };
    } else if (kept.startsWith('data:')) same = kept === `data:${hashOf(w.data)}`;
    else {
      const before = parseHashes(kept.slice('owned:'.length));
      const mapped = valueMaps.apply(w.data!);
      const now = mapped.ok ? fieldHashes(mapped.data, flow.ownedFields) : undefined;
      same = !!before && !!now && flow.ownedFields.every((f) => before[f] === now[f]);
    }
    if (same) w.plan = { kind: 'skip', reason: skipReason(prev.skipped_by!, prev.skip_reason) };
    else w.manualSkip = { kind: 'clear' };
  }

  /**
   * A record that came from the target (a Magento order this process wrote into Acumatica, read back
   * by the flow the other way) is already there: link it, never send it back.
   */
  private async recogniseEchoes(work: WorkItem[]): Promise<void> {
    const { flow, references } = this.ctx;
    if (!references || work.length === 0) return;
    const byId = new Map(work.map((w) => [w.sourceId, w]));
    for (const reverse of references.reverse(flow.entity, flow.source, flow.target)) {
      for (const row of await this.ctx.store.records.byTargetIds(reverse.name, [...byId.keys()])) {
        const w = byId.get(row.target_id!);
        if (w?.plan.kind !== 'create') continue;
        // Both directions link a record once it has travelled; the one whose link came first made it.
        // A record this flow linked before the other direction did is its own, not an echo.
        if (w.prev?.target_id && w.prev.created_at <= row.created_at) continue;
        w.plan = { kind: 'unchanged', targetId: row.source_id };
        w.out = w.data;
        w.ownedHash = JSON.stringify(fieldHashes(w.data!, flow.ownedFields));
        byId.delete(row.target_id!);
      }
    }
  }

  /**
   * What the record refers to, by the source's ids: kept on every outcome (a skipped shipment still
   * belongs to its order's story), and resolved to the target's ids only for records that go on.
   */
  private async noteNeeds(w: WorkItem): Promise<void> {
    const { dependencies } = this.ctx;
    if (dependencies.length === 0) return;
    w.needs = [];
    for (const { dep, ids } of dependencies) {
      let value: unknown;
      try {
        value = await ids.evaluate(w.data);
      } catch {
        value = undefined;
      }
      const list = [
        ...new Set(
          (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]).map(String),
        ),
      ];
      w.needs.push(list);
      w.related = [...(w.related ?? []), ...list.map((id) => `${dep.entity}:${this.ctx.flow.source}:${id}`)];
    }
  }

  /** Records whose predecessors are not on the target wait for them, named; the others learn their target ids. */
  private async applyDependencies(work: WorkItem[], preview: boolean): Promise<void> {
    const { dependencies, references, flow } = this.ctx;
    if (dependencies.length === 0 || work.length === 0 || !references) return;
    // What the target lacks and nothing brings, per record, over every dependency: one reason names all.
    const missing = new Map<WorkItem, string[]>();
    for (const [index, { dep }] of dependencies.entries()) {
      const needed = new Map<WorkItem, string[]>();
      for (const w of work) if (w.plan.kind === 'create') needed.set(w, w.needs?.[index] ?? []);
      const all = [...new Set([...needed.values()].flat())];
      if (all.length === 0) continue;
      const states = await references.resolve(flow, dep, all, !preview);
      let absent = new Set<string>();
      try {
        if (dep.targetKeys) absent = await this.onTarget(dep, all, states);
      } catch (e) {
        // The target could not say (a lock, a lost connection): these records fail as its error says.
        const err = toErrorData(e);
        if (err.category === 'config') throw e;
        for (const w of needed.keys()) w.plan = fail(err);
        continue;
      }
      for (const [w, list] of needed) {
        const lacking = dep.flow ? [] : list.filter((id) => absent.has(id));
        if (lacking.length) {
          (missing.get(w) ?? missing.set(w, []).get(w)!).push(this.notOnTarget(dep, lacking));
          continue;
        }
        const blocking = list.find((id) => !states.get(id)?.ok);
        if (blocking !== undefined) {
          const st = states.get(blocking) as Extract<ReferenceState, { ok: false }> | undefined;
          w.plan = {
            kind: 'wait',
            reason: `waiting on ${entityWord(dep.entity)} ${blocking}${st ? ` (${st.reason})` : ''}`,
            waitingOn: ReferenceResolver.waitKey(dep.entity, flow.source, blocking),
          };
          w.waitsFor = { dep, id: blocking };
          continue;
        }
        const resolved: Record<string, string> = {};
        for (const id of list) {
          const targetId = (states.get(id) as { targetId: string }).targetId;
          resolved[id] = targetId;
          w.related = [...(w.related ?? []), `${dep.entity}:${flow.target}:${targetId}`];
        }
        w.refs = { ...w.refs, [dep.entity]: { ...w.refs?.[dep.entity], ...resolved } };
      }
    }
    for (const [w, reasons] of missing)
      w.plan = fail({
        code: 'not_found',
        category: 'rejected',
        message: `${entityWord(this.ctx.flow.entity)} ${w.label}: ${reasons.join('; ')}`,
      });
  }

  /**
   * Asks the target for the ids of a `targetKeys` dependency the link table does not know (by its
   * natural key, which they are); those it has are resolved, and the ids it lacks are returned.
   */
  private async onTarget(
    dep: Dependency,
    ids: readonly string[],
    states: Map<string, ReferenceState>,
  ): Promise<Set<string>> {
    const unknown = ids.filter((id) => !states.get(id)?.ok);
    if (unknown.length === 0) return new Set();
    // Asked by the target's own natural key for a record holding that key (Accurate's `item:<no>`).
    const { target } = this.ctx;
    const keyOf = new Map(
      unknown.map((id) => [id, target.naturalKey(dep.entity, { [entityKeyField[dep.entity]]: id }) ?? id]),
    );
    const found = await target.lookup(dep.entity, [...new Set(keyOf.values())]);
    const absent = new Set<string>();
    for (const id of unknown) {
      const hit = found.get(keyOf.get(id)!);
      if (hit) states.set(id, { ok: true, targetId: hit.id });
      else absent.add(id);
    }
    return absent;
  }

  /** Why a record cannot go: what it refers to is not on the target, and no flow brings it there. */
  private notOnTarget(dep: Dependency, ids: readonly string[]): string {
    const { source, target, flow } = this.ctx;
    const word = entityWord(dep.entity);
    const one = ids.length === 1;
    return `${word} ${ids.join(', ')} ${one ? 'is' : 'are'} not in ${target.manifest.title}, and no flow brings ${word}s from ${source.manifest.title}: create ${one ? 'it' : 'them'} in ${target.manifest.title} (or correct the ${entityWord(flow.entity)}), then upload again`;
  }

  /** Link table first, then the target's natural key, so a crash between write and link never duplicates. */
  private async match(work: WorkItem[]): Promise<void> {
    const { flow, target, store } = this.ctx;
    const unlinked: WorkItem[] = [];
    for (const w of work) {
      const data = w.out!;
      const hashes = fieldHashes(data, flow.ownedFields);
      w.ownedHash = JSON.stringify(hashes);
      const targetId = w.prev?.target_id;
      if (targetId) {
        // Only the owned fields whose value changed are written: a new price does not resend stock.
        const changed = flow.neverOverwrite ? [] : changedFields(w.prev?.last_hash, hashes, flow.ownedFields);
        w.plan =
          changed.length === 0
            ? { kind: 'unchanged', targetId }
            : { kind: 'update', targetId, fields: changed };
        continue;
      }
      const key = target.naturalKey(flow.entity, data, w.refs);
      if (!key) {
        const what = target.manifest.entities[flow.entity]?.write?.naturalKey ?? 'a natural key';
        w.plan = fail({
          code: 'missing_field',
          category: 'rejected',
          message:
            target.missingKeyReason?.(flow.entity, data) ??
            `${entityWord(flow.entity)} ${w.label} has no ${what}, which ${target.manifest.title} needs to identify it`,
        });
        continue;
      }
      w.naturalKey = key;
      unlinked.push(w);
    }
    if (unlinked.length === 0) return;

    // Two source records must never claim one target record (two customers sharing an e-mail).
    const seen = new Map<string, WorkItem>();
    for (const w of unlinked) {
      const first = seen.get(w.naturalKey!);
      if (first) w.plan = fail(duplicateError(flow.entity, w, first.label, target.manifest.title));
      else seen.set(w.naturalKey!, w);
    }
    // The link table and the target are asked side by side (one round trip less on every page of
    // new records); a key the link table says is claimed fails as a duplicate whatever the target said.
    const keys = [...seen.keys()];
    const [claimed, lookedUp] = await Promise.all([
      store.records.byNaturalKeys(flow.name, keys),
      target.lookup(flow.entity, keys).then(
        (found) => ({ found }),
        (e: unknown) => ({ error: e }),
      ),
    ]);
    for (const row of claimed) {
      const w = seen.get(row.natural_key!);
      if (w && row.source_id !== w.sourceId && row.target_id) {
        w.plan = fail(duplicateError(flow.entity, w, row.source_id, target.manifest.title));
        seen.delete(row.natural_key!);
      }
    }
    const pending = [...seen.values()];
    if (pending.length === 0) return;

    if ('error' in lookedUp) {
      const err = toErrorData(lookedUp.error);
      if (err.category === 'config') throw lookedUp.error;
      for (const w of pending) w.plan = fail(err);
      return;
    }
    const { found } = lookedUp;
    for (const w of pending) {
      const existing = found.get(w.naturalKey!);
      if (existing) {
        w.existing = existing;
        // Found by its key: link it; write the owned fields unless the flow owns none or never overwrites.
        w.plan =
          flow.neverOverwrite || flow.ownedFields.length === 0
            ? { kind: 'unchanged', targetId: existing.id }
            : { kind: 'update', targetId: existing.id, fields: flow.ownedFields };
      } else if (!flow.createIfMissing) {
        w.plan = {
          kind: 'skip',
          reason: `not on ${target.manifest.title}, and this flow does not create records`,
        };
      }
    }
  }

  preview(work: readonly WorkItem[]): PreviewRow[] {
    return work.map((w) => {
      const row: PreviewRow = {
        sourceId: w.sourceId,
        label: w.label,
        updatedAt: w.updatedAt,
        currentState: w.prev?.state ?? null,
        targetId:
          w.prev?.target_id ??
          (w.plan.kind === 'update' || w.plan.kind === 'unchanged' ? w.plan.targetId : null),
        plan: w.plan.kind,
      };
      if (w.plan.kind === 'update') row.fields = w.plan.fields;
      const reason = planReason(w.plan);
      if (reason) row.reason = reason;
      return row;
    });
  }

  /**
   * A dry run's rows: the preview, plus what a waiting record waits on and, for each update, the
   * fields that would change with their old and new values. Reads only (the store, and the target's
   * current records where it can read them); writes nothing.
   */
  async dryRun(work: readonly WorkItem[], signal?: AbortSignal): Promise<PreviewRow[]> {
    const rows = this.preview(work);
    const updates = work.filter((w) => w.plan.kind === 'update');
    const { current, unread } = await this.targetRecords(
      updates.map((w) => (w.plan as { targetId: string }).targetId),
      signal,
    );
    work.forEach((w, i) => {
      const row = rows[i]!;
      if (w.plan.kind === 'wait' && w.plan.waitingOn) row.waitingOn = w.plan.waitingOn;
      if (w.plan.kind === 'update')
        row.changes = this.fieldChanges(w, w.plan.fields, current.get(w.plan.targetId), unread);
    });
    return rows;
  }

  /** The target's current records by id (see target-reads.ts), for the old values of updates. */
  private targetRecords(ids: readonly string[], signal?: AbortSignal): Promise<TargetReads> {
    return readTargets(this.ctx.target, this.ctx.flow.entity, ids, 'in a dry run', signal);
  }

  /**
   * The old value is the target's current one when it could be read; otherwise what Ledgerlink last
   * wrote — the record as last read (the link row's data, kept only while a record is not processed)
   * mapped to the target's codes again, trusted only when its hash equals the link's stored hash.
   * When neither is known, only "changed" is, and the change says why.
   */
  private fieldChanges(
    w: WorkItem,
    fields: readonly string[],
    onTarget: Record<string, unknown> | undefined,
    unread: string | undefined,
  ): FieldChange[] {
    const out = w.out ?? {};
    const written = parseHashes(w.prev?.last_hash);
    let lastRead: Record<string, unknown> | undefined;
    if (!onTarget && written && w.prev?.data) {
      try {
        const mapped = this.ctx.valueMaps.apply(JSON.parse(w.prev.data) as Record<string, unknown>);
        if (mapped.ok) lastRead = mapped.data;
      } catch {
        lastRead = undefined;
      }
    }
    const why = onTarget
      ? undefined
      : `${unread ?? `${this.ctx.target.manifest.title} did not return the record`}, and what was last written is not kept (the link keeps only a hash of each field): only "changed" is known`;
    return fields.map((field) => {
      const change: FieldChange = { field, oldKnown: false, new: out[field] ?? null };
      if (onTarget && onTarget[field] !== undefined) {
        change.oldKnown = true;
        change.old = onTarget[field];
        change.from = 'target';
      } else if (lastRead && written && fieldHash(lastRead[field]) === written[field]) {
        change.oldKnown = true;
        change.old = lastRead[field] ?? null;
        change.from = 'last written';
      } else if (onTarget)
        // Absent from what the target gave back: empty there, or a field its reads do not show.
        change.note = `${this.ctx.target.manifest.title}'s record shows no value for it (empty, or not a field it reads back): only "changed" is known`;
      else if (why) change.note = why;
      return change;
    });
  }

  /**
   * Writes what the plan says, writes back, then persists link rows and the connector log. With
   * `deferRelease`, the records waiting on those that succeeded are let go by its caller, who gets
   * the promise of it (a shared page does so after its locks), instead of before this returns.
   */
  async execute(
    work: readonly WorkItem[],
    runId: number | undefined,
    log: Logger = this.ctx.logger,
    deferRelease?: (released: Promise<void>) => void,
  ): Promise<RecordOutcome[]> {
    const { flow, target } = this.ctx;
    const writes: WriteItem[] = [];
    for (const w of work) {
      const refs = w.refs ? { refs: w.refs } : {};
      if (w.plan.kind === 'create') writes.push({ ref: w.sourceId, action: 'create', data: w.out, ...refs });
      else if (w.plan.kind === 'update') {
        const lastWritten = parseHashes(w.prev?.last_hash);
        writes.push({
          ref: w.sourceId,
          action: 'update',
          targetId: w.plan.targetId,
          data: w.out,
          fields: w.plan.fields,
          ...(w.existing ? { existing: w.existing } : {}),
          ...(lastWritten ? { lastWritten } : {}),
          ...refs,
        });
      }
    }
    const writeAll = async (items: readonly WriteItem[]) => {
      const out = new Map<string, WriteResult>();
      if (items.length === 0) return out;
      try {
        for (const r of await target.write(flow.entity, items)) out.set(r.ref, r);
      } catch (e) {
        const err = toErrorData(e);
        if (err.category === 'config') throw e;
        for (const item of items) out.set(item.ref, { ref: item.ref, ok: false, error: err });
      }
      return out;
    };
    const order = flow.oldestFirst ? new OldestFirst(this.ctx.store, flow) : undefined;
    const results = order ? await order.write(writes, work, writeAll) : await writeAll(writes);
    for (const w of work) this.settle(w, results.get(w.sourceId));
    const outcomes = work.map((w) => toOutcome(w, results.get(w.sourceId)));
    await this.writeBack(work, outcomes);
    await persistOutcomes(this.ctx.store, flow, work, outcomes, runId);
    await this.recheckWaits(work, outcomes, order);
    await order?.note(work, outcomes);
    logOutcomes(log, work, outcomes);
    const succeeded = outcomes.filter(
      (o) => o.status === 'created' || o.status === 'updated' || o.status === 'unchanged',
    );
    if (succeeded.length && this.ctx.onSucceeded) {
      const released = this.ctx.onSucceeded(
        flow.name,
        succeeded.map((o) => ({ sourceId: o.sourceId, ...(o.targetId ? { targetId: o.targetId } : {}) })),
      );
      if (deferRelease) deferRelease(released);
      else await released;
    }
    return outcomes;
  }

  /**
   * Records just stored as waiting on a predecessor, which is looked at again now: one that
   * succeeded between this page's look and its store let its waiters go before this wait was there
   * to find, so the wait would never end. Stored first, then looked at — while the predecessor is
   * stored first, then lets go what waits — so one of the two always sees the other. An
   * oldest-first flow's waits on an earlier record's hold are looked at the same way.
   */
  private async recheckWaits(
    work: readonly WorkItem[],
    outcomes: readonly RecordOutcome[],
    order: OldestFirst | undefined,
  ): Promise<void> {
    const { references, flow, onUnblocked } = this.ctx;
    if (!onUnblocked) return;
    const free = order ? await order.lapsed(work, outcomes) : [];
    const waiting = work.filter((w, i) => w.waitsFor && outcomes[i]?.status === 'waiting');
    if (references)
      for (const dep of new Set(waiting.map((w) => w.waitsFor!.dep))) {
        const mine = waiting.filter((w) => w.waitsFor!.dep === dep);
        const states = await references.resolve(
          flow,
          dep,
          [...new Set(mine.map((w) => w.waitsFor!.id))],
          false,
        );
        for (const w of mine) if (states.get(w.waitsFor!.id)?.ok) free.push(w.sourceId);
      }
    if (free.length) await onUnblocked(flow.name, free);
  }

  /**
   * The hashes a record keeps when the target left some owned fields pending: the others as written
   * now, the pending ones as they were (absent: offered again with the next change or a retry).
   */
  private settle(w: WorkItem, result: WriteResult | undefined): void {
    if (!result?.ok || !w.out) return;
    const asked = w.plan.kind === 'update' ? w.plan.fields : this.ctx.flow.ownedFields;
    const pending = result.pending ?? (result.action === 'skipped' ? asked : []);
    // Created or updated with nothing pending: the hashes the plan computed.
    if (isWritten(result) && pending.length === 0) return;
    const { ownedFields } = this.ctx.flow;
    const now = fieldHashes(w.out, ownedFields);
    const kept: Record<string, string> = { ...parseHashes(w.prev?.last_hash) };
    for (const f of ownedFields) if (!pending.includes(f)) kept[f] = now[f]!;
    const hash = JSON.stringify(kept);
    if (isWritten(result)) w.ownedHash = hash;
    else w.settledHash = hash;
  }

  /** Tells the source what the target created (e.g. the Magento order number onto the Acumatica order). */
  private async writeBack(work: readonly WorkItem[], outcomes: RecordOutcome[]): Promise<void> {
    const wb = this.ctx.flow.writeBack;
    if (!wb) return;
    const field = wb.field;
    const created = outcomes.filter((o) => o.status === 'created' && o.targetId);
    if (created.length === 0) return;
    const byId = new Map(work.map((w) => [w.sourceId, w]));
    const items: WriteItem[] = created.map((o) => ({
      ref: o.sourceId,
      action: 'update',
      targetId: o.sourceId,
      data: {
        ...byId.get(o.sourceId)?.data,
        [field]: wb.value === 'number' ? (o.targetNumber ?? o.targetId) : o.targetId,
      },
      fields: [field],
    }));
    let results: WriteResult[];
    try {
      results = await this.ctx.source.write(this.ctx.flow.entity, items);
    } catch (e) {
      const err = toErrorData(e);
      results = items.map((i) => ({ ref: i.ref, ok: false as const, error: err }));
    }
    for (const r of results) {
      if (r.ok) continue;
      const o = created.find((c) => c.sourceId === r.ref);
      if (o)
        o.reason = `created on ${this.ctx.target.manifest.title}, but writing ${field} back to ${this.ctx.source.manifest.title} failed: ${r.error.message}`;
    }
  }
}

/**
 * One line per record as it ended, carrying its ids (the run's logger already carries the run and the
 * flow): failures as warnings, waits as information, the rest only when debugging.
 */
function logOutcomes(log: Logger, work: readonly WorkItem[], outcomes: readonly RecordOutcome[]): void {
  outcomes.forEach((o, i) => {
    const level =
      o.status === 'failed' || o.status === 'aborted' ? 'warn' : o.status === 'waiting' ? 'info' : 'debug';
    if (!log.isLevelEnabled(level)) return;
    const recordId = work[i]?.prev?.id;
    log[level](
      {
        sourceId: o.sourceId,
        ...(recordId !== undefined ? { recordId } : {}),
        ...(o.label !== o.sourceId ? { label: o.label } : {}),
        status: o.status,
        ...(o.targetId ? { targetId: o.targetId } : {}),
        ...(o.reason ? { reason: o.reason } : {}),
        ...(o.error ? { code: o.error.code, category: o.error.category } : {}),
      },
      `record ${o.status}`,
    );
  });
}

function duplicateError(entity: Flow['entity'], w: WorkItem, other: string, targetTitle: string): ErrorData {
  return {
    code: 'duplicate',
    category: 'rejected',
    message: `${entityWord(entity)} ${w.label} and ${entityWord(entity)} ${other} would be the same record on ${targetTitle} (both have ${w.naturalKey}); give one of them a different key`,
  };
}

function toOutcome(w: WorkItem, result: WriteResult | undefined): RecordOutcome {
  const base = { sourceId: w.sourceId, label: w.label };
  switch (w.plan.kind) {
    case 'unchanged':
      return { ...base, status: 'unchanged', action: 'none', targetId: w.plan.targetId };
    case 'skip':
      return { ...base, status: 'skipped', action: 'none', reason: w.plan.reason };
    case 'wait':
      return { ...base, status: 'waiting', action: 'none', reason: w.plan.reason };
    case 'fail':
      return { ...base, status: 'failed', action: 'none', reason: w.plan.error.message, error: w.plan.error };
    default: {
      const action = w.plan.kind;
      const exchanges = result?.exchanges;
      const durationMs = exchanges?.reduce((s, x) => s + x.durationMs, 0) ?? 0;
      if (!result) {
        const error = new LedgerlinkError({
          code: 'server',
          category: 'transient',
          message: 'the target connector returned no result for this record',
        });
        return {
          ...base,
          status: 'failed',
          action,
          reason: error.message,
          error: error.toData(),
          durationMs,
        };
      }
      if (!result.ok)
        return {
          ...base,
          status: 'failed',
          action,
          reason: result.error.message,
          error: result.error,
          ...(exchanges ? { exchanges } : {}),
          durationMs,
        };
      if (!isWritten(result)) {
        // The target left it, deliberately and for a reason a person can read, or had it already.
        const targetId = result.targetId ?? (w.plan.kind === 'update' ? w.plan.targetId : undefined);
        return {
          ...base,
          status: result.action,
          action: 'none',
          reason: result.reason,
          ...(targetId ? { targetId } : {}),
          ...(exchanges ? { exchanges } : {}),
          durationMs,
        };
      }
      const reason =
        result.reason ??
        (action === 'update' && w.plan.kind === 'update' ? `updated ${w.plan.fields.join(', ')}` : undefined);
      return {
        ...base,
        status: result.action,
        action,
        targetId: result.targetId,
        ...(result.targetNumber ? { targetNumber: result.targetNumber } : {}),
        ...(reason ? { reason } : {}),
        ...(exchanges ? { exchanges } : {}),
        durationMs,
      };
    }
  }
}
