import type { WriteItem, WriteResult } from '../connectors/sdk/contract.js';
import type { Store } from '../store/index.js';
import type { Flow } from './flow.js';
import type { RecordOutcome } from './outcome.js';
import type { WorkItem } from './pipeline.js';
import { ReferenceResolver } from './references.js';
import { ABSOLUTE_ENTITIES, occurredAtOf, ownKeyOf, sequenceKeysOf } from './sequence.js';
import { entityWord } from './validate.js';

interface Seq {
  keys: string[];
  at: string;
  /** The key the record heads (sequence.ts `ownKeyOf`): it never waits on another's hold of it. */
  own?: string;
}

const waitFor = (label: string, key: string, own?: string) => ({
  kind: 'wait' as const,
  reason: `waiting for ${label} to succeed${own ? ` (its own answer: ${own})` : ''}`,
  waitingOn: key,
});

/**
 * Oldest-first processing of one page of a flow (Flow.oldestFirst; seed 002). Records go in the order
 * they happened; one that touches a stock position or transfer an earlier record of the same source
 * has not yet succeeded on — stored from an earlier page or run, or before it in this page — waits
 * for that record and is released when it succeeds. A page of records that set quantities outright
 * (stock takes) is written in runs that share no position, so a failed one holds back the next on
 * its position; a page of moves is written in one ordered request, and a later move that fails
 * beside an earlier failed one on its position waits for it rather than failing on its own.
 */
export class OldestFirst {
  private readonly seq = new Map<WorkItem, Seq>();

  constructor(
    private readonly store: Store,
    private readonly flow: Flow,
  ) {}

  private of(w: WorkItem): Seq {
    let s = this.seq.get(w);
    if (!s) {
      const own = w.data ? ownKeyOf(this.flow.entity, w.data) : undefined;
      s = {
        keys: w.data ? sequenceKeysOf(this.flow.entity, w.data) : [],
        at: occurredAtOf(w.data, w.updatedAt),
        ...(own ? { own } : {}),
      };
      this.seq.set(w, s);
    }
    return s;
  }

  private key(w: WorkItem): string {
    return ReferenceResolver.waitKey(this.flow.entity, this.flow.source, w.sourceId);
  }

  /** The record as a reason names it: "stock transfer TO-7". */
  private name(w: WorkItem): string {
    return `${entityWord(this.flow.entity)} ${w.label}`;
  }

  /** The page in the order its records happened (stable for records of the same moment). */
  sort(work: WorkItem[]): void {
    const at = new Map(work.map((w, i) => [w, [this.of(w).at, i] as const]));
    work.sort((a, b) => {
      const [x, i] = at.get(a)!;
      const [y, j] = at.get(b)!;
      return x < y ? -1 : x > y ? 1 : i - j;
    });
  }

  /** Records still to go whose predecessor has not succeeded wait for it, naming it. */
  async holdBack(work: readonly WorkItem[]): Promise<void> {
    const going = (w: WorkItem) => w.plan.kind === 'create' || w.plan.kind === 'update';
    const latest =
      work
        .map((w) => this.of(w).at)
        .sort()
        .at(-1) ?? '';
    const keys = [...new Set(work.filter(going).flatMap((w) => this.of(w).keys))];
    const stored = keys.length ? await this.store.sequence.blockers(this.flow.source, keys, latest) : [];
    // A record of this page is decided here, in order: its hold from an earlier attempt does not hold
    // back the records after it — `held` does, if it fails or waits again. (Otherwise sales that all
    // waited, retried together, would go one a run.)
    const decidedHere = new Set(work.filter((w) => this.of(w).keys.length).map((w) => w.sourceId));
    const held: Array<{ keys: Set<string>; label: string; key: string }> = [];
    for (const w of work) {
      const s = this.of(w);
      if (going(w) && s.keys.length) {
        const before = stored.find(
          (b) =>
            // At the same moment too: a sale and its payment are one instant, the sale first (and a
            // sale never waits on its payment's hold of it).
            b.occurred_at <= s.at &&
            s.keys.includes(b.seq_key) &&
            b.seq_key !== s.own &&
            !(b.flow === this.flow.name && decidedHere.has(b.source_id)),
        );
        const inPage = held.find((h) => s.keys.some((k) => h.keys.has(k)));
        if (before) {
          w.plan = waitFor(
            before.label,
            ReferenceResolver.waitKey(before.entity as Flow['entity'], this.flow.source, before.source_id),
          );
          w.waitsOnHold = { flow: before.flow, id: before.source_id };
        } else if (inPage) w.plan = waitFor(inPage.label, inPage.key);
      }
      if ((w.plan.kind === 'fail' || w.plan.kind === 'wait') && s.keys.length)
        held.push({ keys: new Set(s.keys), label: this.name(w), key: this.key(w) });
    }
  }

  /**
   * Writes the page's items through `write`: in one ordered request, or for records that set
   * quantities in runs sharing no position, holding back those behind a failure. Then a failure
   * behind an earlier failure on its position becomes a wait for it.
   */
  async write(
    items: readonly WriteItem[],
    work: readonly WorkItem[],
    write: (items: readonly WriteItem[]) => Promise<Map<string, WriteResult>>,
  ): Promise<Map<string, WriteResult>> {
    const byRef = new Map(work.map((w) => [w.sourceId, w]));
    const keysOf = (i: WriteItem) => this.of(byRef.get(i.ref)!).keys;
    // What must not share a request: every position of a record that sets quantities; for moves,
    // only the transfer itself (a transfer-in and its transfer-out).
    const hardOf = (i: WriteItem) =>
      ABSOLUTE_ENTITIES.has(this.flow.entity)
        ? keysOf(i)
        : keysOf(i).filter((k) => k.startsWith('transfer:'));
    const results = new Map<string, WriteResult>();
    let rest = [...items];
    while (rest.length) {
      const run: WriteItem[] = [];
      const taken = new Set<string>();
      const later: WriteItem[] = [];
      for (const i of rest) {
        if (hardOf(i).some((k) => taken.has(k))) later.push(i);
        else {
          run.push(i);
          for (const k of hardOf(i)) taken.add(k);
        }
      }
      for (const [k, v] of await write(run)) results.set(k, v);
      rest = later;
      // What a failed record of this run touches holds back the rest on those positions.
      const failed = run.filter((i) => !results.get(i.ref)?.ok);
      rest = rest.filter((i) => {
        const blocker = failed.find((f) => hardOf(f).some((k) => hardOf(i).includes(k)));
        if (!blocker) return true;
        const w = byRef.get(blocker.ref)!;
        byRef.get(i.ref)!.plan = waitFor(this.name(w), this.key(w));
        return false;
      });
    }
    const blocked: Array<{ keys: Set<string>; w: WorkItem }> = [];
    for (const w of work) {
      const r = results.get(w.sourceId);
      const s = this.of(w);
      if (r && !r.ok && s.keys.length) {
        const before = blocked.find((b) => s.keys.some((k) => b.keys.has(k)));
        if (before) {
          w.plan = waitFor(this.name(before.w), this.key(before.w), r.error.message);
          results.delete(w.sourceId);
        }
      }
      const stuck = w.plan.kind === 'fail' || w.plan.kind === 'wait' || (r !== undefined && !r.ok);
      if (stuck && s.keys.length) blocked.push({ keys: new Set(s.keys), w });
    }
    return results;
  }

  /**
   * Records just stored as waiting on an earlier record's stored hold that is gone by now: that
   * record succeeded between this page's look and its store, and let go of its waiters before this
   * wait was there to find. It releases its hold before it lets go, and this page stores its waits
   * before it looks, so one of the two always sees the other. Returns their source ids.
   */
  async lapsed(work: readonly WorkItem[], outcomes: readonly RecordOutcome[]): Promise<string[]> {
    const waiting = work.filter((w, i) => w.waitsOnHold && outcomes[i]?.status === 'waiting');
    const free: string[] = [];
    for (const flow of new Set(waiting.map((w) => w.waitsOnHold!.flow))) {
      const mine = waiting.filter((w) => w.waitsOnHold!.flow === flow);
      const held = await this.store.sequence.holding(
        flow,
        mine.map((w) => w.waitsOnHold!.id),
      );
      for (const w of mine) if (!held.has(w.waitsOnHold!.id)) free.push(w.sourceId);
    }
    return free;
  }

  /** Records that did not succeed hold their positions; those that did release theirs. */
  async note(work: readonly WorkItem[], outcomes: readonly RecordOutcome[]): Promise<void> {
    const byId = new Map(work.map((w) => [w.sourceId, w]));
    const hold = outcomes
      .filter((o) => o.status === 'failed' || o.status === 'waiting' || o.status === 'aborted')
      .map((o) => ({ o, w: byId.get(o.sourceId)! }))
      .filter(({ w }) => this.of(w).keys.length)
      .map(({ o, w }) => ({
        source: this.flow.source,
        occurred_at: this.of(w).at,
        flow: this.flow.name,
        entity: this.flow.entity,
        source_id: o.sourceId,
        label: this.name(w),
        keys: this.of(w).keys,
      }));
    await this.store.sequence.hold(hold);
    const done = outcomes
      .filter(
        (o) =>
          o.status === 'created' ||
          o.status === 'updated' ||
          o.status === 'unchanged' ||
          o.status === 'skipped',
      )
      .map((o) => o.sourceId);
    if (done.length) await this.store.sequence.release(this.flow.name, done);
  }
}
