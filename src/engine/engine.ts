import type { Logger } from 'pino';
import type { Connector, ReadQuery, SourceItem } from '../connectors/sdk/contract.js';
import { isLedgerlinkError } from '../connectors/sdk/errors.js';
import type { JobQueue, NewJob } from '../runtime/queue/queue.js';
import {
  ABANDONED_RUN,
  type AcceptedFinding,
  emptyCounts,
  newLinkRow,
  type RunCounts,
  runCounts,
  type Store,
  type SyncRecord,
  type SyncRecordWrite,
} from '../store/index.js';
import { ownerIsGone, processOwner } from '../util/process-owner.js';
import { ConditionSet, Expression } from './conditions.js';
import { EngineError, isEngineError } from './errors.js';
import type { Flow, ValueMap } from './flow.js';
import { columnsOf, withColumns } from './grid-columns.js';
import { logScope, reportPage, reportRun } from './observe.js';
import type { PreviewRow, RecordOutcome } from './outcome.js';
import { RecordPipeline, type WorkItem } from './pipeline.js';
import { ProgressWrites } from './progress-writes.js';
import { readAhead } from './read-ahead.js';
import { type ReconcileReport, reconcile } from './reconcile.js';
import { RecordActions } from './record-actions.js';
import { ReferenceResolver } from './references.js';
import { type ScanLine, type ScanNeed, type ScanResult, scanLines } from './scan.js';
import { readTargets } from './target-reads.js';
import { entityWord } from './validate.js';
import { FlowValueMaps } from './value-maps.js';
import { WriteWaves } from './write-waves.js';

/** Resolves a connection name to a live connector (created once, closed by its owner). */
export interface ConnectorResolver {
  get(connection: string): Connector;
}

export type RunTrigger = 'manual' | 'batch' | 'schedule' | 'webhook' | 'retry' | 'dependency' | 'shift-close';

export interface RunOptions {
  trigger: RunTrigger;
  /** Read since the flow's cursor (minus the overlap window), and move the cursor after. */
  incremental?: boolean;
  query?: ReadQuery;
  /** Ask the source how many records the run covers, for a progress bar. */
  countFirst?: boolean;
  onProgress?: (p: RunProgress) => void;
  signal?: AbortSignal;
  /**
   * Share the run with every worker: read the source here, queue each page as a job for whichever
   * worker takes it (`PAGE_TASK`), and let the last page end the run. Only for a queue that many
   * processes drain; the embedded queue runs everything inline. An oldest-first flow's run is read
   * and written here, page after page, whatever this says.
   */
  fanOut?: boolean;
  /** Who asked for the run (a person on a batch screen, a token's user); kept on its row. */
  startedBy?: string;
  /** The request that queued the run, kept on its row so the screen that sent it follows this run. */
  request?: string;
}

export interface RunProgress {
  runId: number;
  flow: string;
  counts: RunCounts;
  total?: number;
}

export interface RunResult {
  runId: number;
  flow: string;
  /** `pages_queued`: a shared run whose pages are in the queue; the last page ends it. */
  status: 'succeeded' | 'completed_with_failures' | 'failed' | 'pages_queued';
  counts: RunCounts;
  outcomes: RecordOutcome[];
  message?: string;
  /** The cursor after the run, for incremental runs. */
  cursor?: string;
}

/** A retry that waits for the run of its flow to end (see `Engine.retry`). */
export interface QueuedRetry {
  flow: string;
  status: 'queued';
  records: number;
  message: string;
}

export type RetryResult = RunResult | QueuedRetry;

/** Heartbeats older than this mean the process running the flow is gone. */
export const STALE_RUN_MS = 60_000;
const HEARTBEAT_MS = 15_000;
/** A running run's counts reach its row at most this often (progress-writes.ts). */
const PROGRESS_MS = 500;
/** Abandoned runs of every flow are looked for at a run's start at most this often. */
const SWEEP_EVERY_MS = 5_000;
/** How long a gathered update may wait for its wave to fill while pages are read (write-waves.ts). */
const WAVE_MAX_WAIT_MS = 2_000;
/** Outcomes kept in a RunResult; counts are always complete. */
const MAX_OUTCOMES = 10_000;

/** Runs this process has in flight (all its engines): a 'running' row of ours not among them was left behind. */
const IN_FLIGHT = new Set<number>();

export const RETRY_TASK = 'flow.retry';
/** One page of a shared run (see `RunOptions.fanOut`). */
export const PAGE_TASK = 'flow.page';
/** Records a shared run's reader asks the source for at once (its page jobs keep the flow's size). */
const SHARED_READ_PAGE = 100;
/** A shared run none of whose pages reported for this long is closed as failed. */
const STALE_SHARED_RUN_MS = 30 * 60_000;
/** A flow's cursor that holds a source's change token rather than a timestamp. */
const TOKEN_CURSOR = 'token:';
const tokenCursor = (token: string): string => `${TOKEN_CURSOR}${token}`;
const changeToken = (cursor: string | undefined): string | undefined =>
  cursor?.startsWith(TOKEN_CURSOR) ? cursor.slice(TOKEN_CURSOR.length) : undefined;
/** The row of a record never synced before. */
const unseenRecord = (flow: string, item: SourceItem): SyncRecordWrite => ({
  ...newLinkRow(flow, item.id, 'waiting'),
  source_updated_at: item.updatedAt,
});
/** How soon the records of a page given up are tried again (each on its own row). */
const PAGE_FAILED_RETRY_MS = 30_000;

/**
 * Runs flows: reads pages from the source, sends each through the record pipeline, keeps the run's
 * row, counts and heartbeat, moves the incremental cursor only after the records it covers are
 * stored, and schedules automatic retries. Knows connectors only through the contract.
 */
export class Engine {
  readonly owner = processOwner();
  private readonly pipelines = new Map<string, RecordPipeline>();
  private readonly inFlight = IN_FLIGHT;
  /** When this engine last closed abandoned runs (at a run's start, at most every SWEEP_EVERY_MS). */
  private sweptAt = 0;
  private readonly references: ReferenceResolver;

  constructor(
    readonly store: Store,
    private readonly flows: ReadonlyMap<string, Flow>,
    private readonly connectors: ConnectorResolver,
    readonly logger: Logger,
    private readonly valueMaps: ReadonlyMap<string, ValueMap> = new Map(),
    /** Where retry jobs go: the process's queue (the embedded jobs table when none is given). */
    private readonly queue: Pick<JobQueue, 'add' | 'addMany'> = store.jobs,
  ) {
    this.references = new ReferenceResolver(
      store,
      flows,
      async (f, ids) => {
        await this.runIds(f, ids, 'dependency');
      },
      logger,
    );
  }

  /** A connection's live connector (for work beside runs: the shifts a POS closed). */
  connector(connection: string): Connector {
    return this.connectors.get(connection);
  }

  flowNames(): string[] {
    return [...this.flows.keys()];
  }

  flow(name: string): Flow {
    const f = this.flows.get(name);
    if (!f) {
      throw new EngineError(
        'unknown_flow',
        `unknown flow "${name}"; configured flows: ${this.flowNames().join(', ') || '(none)'}`,
      );
    }
    return f;
  }

  private pipeline(flow: Flow): RecordPipeline {
    let p = this.pipelines.get(flow.name);
    if (!p) {
      const target = this.connectors.get(flow.target);
      p = new RecordPipeline({
        store: this.store,
        flow,
        source: this.connectors.get(flow.source),
        target,
        conditions: new ConditionSet(flow.conditions, flow.settings),
        ...(flow.transform
          ? { transform: new Expression(flow.transform, `the transform of flow ${flow.name}`) }
          : {}),
        dependencies: flow.dependencies.map((dep) => ({
          dep,
          ids: new Expression(dep.ids, `a dependency of flow ${flow.name}`),
        })),
        valueMaps: new FlowValueMaps(
          flow.valueMaps,
          this.valueMaps,
          flow.source,
          flow.target,
          target.manifest.title,
        ),
        references: this.references,
        onSucceeded: (f, done) => this.releaseWaiting(f, done),
        onUnblocked: async (f, ids) => this.letGo([...(await this.store.records.getMany(f, ids)).values()]),
        logger: this.logger,
      });
      this.pipelines.set(flow.name, p);
    }
    return p;
  }

  /**
   * Load: what processing would do to each record, without writing anything; each row carries its
   * values for the grid columns the source declares.
   */
  async preview(name: string, query: ReadQuery, signal?: AbortSignal): Promise<PreviewRow[]> {
    const flow = this.flow(name);
    const source = this.connectors.get(flow.source);
    const pipeline = this.pipeline(flow);
    const columns = columnsOf(source.manifest, flow.entity);
    const rows: PreviewRow[] = [];
    for await (const page of source.read(flow.entity, { pageSize: flow.pageSize, ...query }, signal)) {
      rows.push(...withColumns(pipeline.preview(await pipeline.plan(page, true)), page, columns));
    }
    return rows;
  }

  /**
   * Dry run: the Load's plan for each record the query selects, with what a waiting record waits on
   * and, for each update, every field that would change with its old and new values. Like a Load it
   * writes nothing — no target or source write, no sync record, cursor, link, run or batch. It reads
   * the target's current records for the updates, so the old values are what is there now.
   */
  async dryRun(name: string, query: ReadQuery, signal?: AbortSignal): Promise<PreviewRow[]> {
    const flow = this.flow(name);
    const source = this.connectors.get(flow.source);
    const pipeline = this.pipeline(flow);
    const rows: PreviewRow[] = [];
    for await (const page of source.read(flow.entity, { pageSize: flow.pageSize, ...query }, signal)) {
      rows.push(...(await pipeline.dryRun(await pipeline.plan(page, true), signal)));
    }
    return rows;
  }

  /**
   * Reconciliation of a period (see reconcile.ts): both systems compared record by record through
   * the link table, and the totals per day and currency. Reads only.
   */
  async reconcile(
    name: string,
    period: Pick<ReadQuery, 'since' | 'until'>,
    signal?: AbortSignal,
  ): Promise<ReconcileReport> {
    const flow = this.flow(name);
    const reverseFlows = [...this.flows.values()]
      .filter((f) => f.source === flow.target && f.target === flow.source && f.entity === flow.entity)
      .map((f) => f.name);
    return reconcile(
      {
        store: this.store,
        flow,
        reverseFlows,
        source: this.connectors.get(flow.source),
        target: this.connectors.get(flow.target),
        pipeline: this.pipeline(flow),
      },
      period,
      signal,
    );
  }

  /**
   * A person accepts a reconciliation finding as it is (who, why, when, and the fingerprint of the
   * values they saw): reconciles show it as accepted until those values change.
   */
  async acceptFinding(
    name: string,
    finding: { key: string; fingerprint: string },
    who: string,
    reason?: string,
  ): Promise<AcceptedFinding> {
    const flow = this.flow(name);
    return this.store.accepted.accept({
      flow: flow.name,
      finding_key: finding.key,
      fingerprint: finding.fingerprint,
      accepted_by: who,
      reason: reason ?? null,
      accepted_at: new Date().toISOString(),
    });
  }

  /**
   * Re-sync what a reconciliation found: a link whose target record is gone is taken back (the run
   * then finds the record by its key again, or creates it); a linked record forgets its field
   * hashes so every owned field is written again; then the records run now, by id.
   */
  async resync(name: string, sourceIds: readonly string[], who: string): Promise<RunResult> {
    const flow = this.flow(name);
    const rows = await this.store.records.getMany(flow.name, sourceIds);
    const linked = [...rows.values()].filter((r) => r.target_id);
    const target = this.connectors.get(flow.target);
    const reads = await readTargets(
      target,
      flow.entity,
      linked.map((r) => r.target_id!),
      'in a re-sync',
    );
    const actions = new RecordActions(this.store, (n) => this.flow(n));
    for (const r of linked) {
      if (!reads.unread && !reads.current.has(r.target_id!)) await actions.unlink(r.id, who);
      else await this.store.records.setState(r.id, r.state, { last_hash: null, attempts: 0 });
    }
    return this.run(flow.name, { trigger: 'manual', query: { ids: sourceIds }, startedBy: who });
  }

  /**
   * Scan: what processing would send and everything it needs, before anything is written — the
   * documents (as a Load shows them), the customers and products they refer to with what their flows
   * would do to each, and every line. Only documents that would be sent (created, or waiting on what
   * they need) count; the rest are listed with their reason.
   */
  async scan(name: string, query: ReadQuery, signal?: AbortSignal): Promise<ScanResult> {
    const flow = this.flow(name);
    const source = this.connectors.get(flow.source);
    const pipeline = this.pipeline(flow);
    const columns = columnsOf(source.manifest, flow.entity);
    const records: PreviewRow[] = [];
    const lines: ScanLine[] = [];
    const needed = flow.dependencies.map(() => new Set<string>());
    for await (const page of source.read(flow.entity, { pageSize: flow.pageSize, ...query }, signal)) {
      const work = await pipeline.plan(page, true);
      records.push(...withColumns(pipeline.preview(work), page, columns));
      for (const w of work) {
        if (w.plan.kind !== 'create' && w.plan.kind !== 'wait') continue;
        w.needs?.forEach((ids, i) => {
          for (const id of ids) needed[i]?.add(id);
        });
        lines.push(...scanLines(w.sourceId, w.data));
      }
    }
    const needs: ScanNeed[] = [];
    for (const [i, dep] of flow.dependencies.entries()) {
      const ids = [...(needed[i] ?? [])];
      const rows = dep.flow && ids.length ? await this.preview(dep.flow, { ids }, signal) : [];
      needs.push({
        entity: dep.entity,
        ...(dep.flow ? { flow: dep.flow } : {}),
        ids,
        rows,
        ...(dep.targetKeys && !dep.flow ? { onTarget: true } : {}),
      });
    }
    return { flow: name, records, needs, lines };
  }

  /** Process: reads what the options select and syncs it. */
  async run(name: string, opts: RunOptions): Promise<RunResult> {
    const flow = this.flow(name);
    if (!flow.enabled && opts.trigger === 'schedule') {
      throw new EngineError('flow_disabled', `flow ${name} is disabled`);
    }
    const source = this.connectors.get(flow.source);
    // An oldest-first flow is never split: pages on several workers at once would write a later
    // stock move before an earlier one, in another page, that has not yet been written.
    const fanOut = opts.fanOut === true && !flow.oldestFirst;
    // A shared run reads bigger pages than it hands out: one reader feeds every worker, and a
    // source call per small page would make it the bottleneck.
    const readSize = fanOut ? Math.max(flow.pageSize, SHARED_READ_PAGE) : flow.pageSize;
    const query: ReadQuery = { pageSize: readSize, ...opts.query };
    return this.withRun(
      flow,
      opts.trigger,
      query,
      async (ctx) => {
        let counting: Promise<void> | undefined;
        let count: (() => Promise<void>) | undefined;
        const startedAt = new Date().toISOString();
        let tokenNext: string | undefined;
        if (opts.incremental && !query.since && !query.ids) {
          const cursor = await this.store.cursors.get(flow.name);
          // A source with its own change token says exactly what changed; a timestamp cursor is
          // read again from a little before it (the overlap), as clocks and commits disagree.
          const changes = await source.changedSince?.(flow.entity, changeToken(cursor), opts.signal);
          if (changes) {
            tokenNext = tokenCursor(changes.token);
            query.ids = changes.ids;
          } else if (cursor && changeToken(cursor) === undefined)
            query.since = new Date(Date.parse(cursor) - flow.overlapMs).toISOString();
        }
        if (opts.countFirst && (query.ids?.length || tokenNext)) {
          ctx.total = query.ids?.length ?? 0;
          await this.store.runs.progress(ctx.runId, emptyCounts(), ctx.total);
        } else if (opts.countFirst && source.count) {
          // Counted once the first page is read, beside the work, not before it: a source may count
          // by reading every key (Acumatica, 1,000 a call), and the first records need not wait for
          // the progress bar, nor share the source with its count.
          const { runId } = ctx;
          const counter = source.count.bind(source);
          count = () =>
            counter(flow.entity, { ...query })
              .then(async (total) => {
                if (total === undefined) return;
                ctx.total = total;
                await this.store.runs.setTotal(runId, total);
              })
              .catch(() => undefined);
        }
        let maxSeen: string | undefined;
        let pages = 0;
        // Nothing changed since the token: no read at all (a read with no ids would read everything).
        // A run in this process reads the next page while it writes this one (read-ahead.ts).
        const read = () => {
          const pages = source.read(flow.entity, query, opts.signal);
          return fanOut ? pages : readAhead(pages);
        };
        const pagesRead = query.ids?.length === 0 ? [] : read();
        // Updates of linked records are written in waves across pages (write-waves.ts), except
        // where the source's order must hold.
        if (!fanOut && !flow.oldestFirst)
          ctx.waves = this.writeWaves(flow, ctx, this.logger.child({ flow: flow.name, runId: ctx.runId }));
        try {
          for await (const page of pagesRead) {
            counting ??= count?.();
            if (fanOut) {
              const slices = [];
              for (let i = 0; i < page.length; i += flow.pageSize)
                slices.push({ pageNo: ++pages, items: page.slice(i, i + flow.pageSize) });
              await this.queuePages(flow, ctx.runId, slices);
            } else await ctx.process(page);
            for (const item of page) if (!maxSeen || item.updatedAt > maxSeen) maxSeen = item.updatedAt;
          }
          // Nothing read: the source still says how many (none, or what its count sees).
          counting ??= count?.();
        } catch (e) {
          // The records already planned are still written (and stored) before the run fails.
          await ctx.waves?.drain().catch(() => undefined);
          throw e;
        } finally {
          // The total is in the run's row before the run ends (it never fails the run).
          await counting;
        }
        // Every gathered update is stored before the cursor moves past it.
        await ctx.waves?.drain();
        // Never beyond the run's start: records changed while we paged through are re-read next time.
        const next =
          tokenNext ??
          (opts.incremental && maxSeen ? (maxSeen < startedAt ? maxSeen : startedAt) : undefined);
        if (fanOut) {
          // The cursor moves when the last page is done, not now: a page still queued may fail to land.
          ctx.pagesQueued = { pages, ...(next ? { cursor: next } : {}) };
        } else if (next) {
          await this.store.cursors.set(flow.name, next);
          ctx.cursor = next;
        }
      },
      { ...opts, fanOut },
    );
  }

  /** The page jobs of one read, in one statement (a read of 100 records makes 20 pages of 5). */
  private async queuePages(
    flow: Flow,
    runId: number,
    pages: ReadonlyArray<{ pageNo: number; items: readonly SourceItem[] }>,
  ) {
    const jobs = pages.map(
      ({ pageNo, items }): NewJob => ({
        task: PAGE_TASK,
        payload: { flow: flow.name, runId, page: pageNo, items },
        // A reader that dies and is run again queues the same pages under the same keys: merged.
        jobKey: `page:${runId}:${pageNo}`,
        // Not serial with its key: pages run side by side (the record locks keep a page run twice apart).
        queue: null,
        // e^attempt s apart (graphile-worker): about 20 minutes before the page is given up.
        maxAttempts: 8,
      }),
    );
    await this.queue.addMany(jobs);
  }

  /**
   * One page of a shared run, in whichever worker took its job: processed under the records' locks,
   * counted once in the run, and the run ended if it was the last. `failure` is set on the page
   * job's last attempt, when the page could not be processed at all: its records count as failed
   * with that reason so the run still ends (the records themselves are retried by their own rows).
   */
  async runPage(
    name: string,
    runId: number,
    pageNo: number,
    items: readonly SourceItem[],
    failure?: string,
  ): Promise<void> {
    const flow = this.flow(name);
    const counts = emptyCounts();
    counts.read = items.length;
    // The records that waited on this page's are let go beside its count, after its locks: its
    // rows are stored by then, which is all they need.
    let released: Promise<{ error: unknown } | undefined> = Promise.resolve(undefined);
    if (failure) {
      counts.failed = items.length;
      this.logger.error(
        { flow: flow.name, runId, page: pageNo, reason: failure },
        'page could not be processed',
      );
      // The cursor stays, so the next run reads them again; and each record becomes a failed row
      // with the reason, retried like any transient failure (a run of chosen ids has no next run).
      await this.store.runs.keepCursor(runId, `page ${pageNo} could not be processed: ${failure}`);
      await this.pageRecordsFailed(flow, items, failure);
    } else {
      const log = this.logger.child({ flow: flow.name, runId });
      const result = await logScope.run({ runId, flow: flow.name }, () =>
        this.processPage(flow, runId, items, log, undefined, (p) => {
          released = p.then(
            () => undefined,
            (e: unknown) => ({ error: e }),
          );
        }),
      );
      for (const o of result) counts[o.status === 'aborted' ? 'failed' : o.status]++;
    }
    // Its own failures get their retry now, whoever ends the run and whether or not this page was
    // counted before: a retry job lost to a store outage after the count would otherwise never come
    // (the job key merges them into one).
    if (counts.failed > 0 || counts.waiting > 0) await this.scheduleRetry(flow.name);
    // Only the page that saw every page in ends the run (or the reader, if it said how many after).
    const [done, release] = await Promise.all([
      this.store.runs.pageDone(runId, pageNo, counts, this.owner),
      released,
    ]);
    if (done === 'last') await this.endShared(flow, runId);
    // Counted already: the job's retry lets them go again (the page's records come back unchanged).
    if (release) throw release.error;
  }

  /** The records of a page given up: failed rows with the reason, due for their retry shortly. */
  private async pageRecordsFailed(flow: Flow, items: readonly SourceItem[], failure: string): Promise<void> {
    const now = new Date();
    const error = {
      error_code: 'page_failed',
      error_category: 'transient',
      error_message: `its page could not be processed: ${failure}`,
      next_attempt_at: new Date(now.getTime() + PAGE_FAILED_RETRY_MS).toISOString(),
      last_attempt_at: now.toISOString(),
    };
    const rows = await this.store.records.getMany(
      flow.name,
      items.map((i) => i.id),
    );
    // One statement for the page: a record seen before keeps its link and hashes, a new one has none.
    const failed = items.map((item): SyncRecordWrite => {
      let prev = unseenRecord(flow.name, item);
      const seen = rows.get(item.id);
      if (seen) {
        const { id: _id, created_at: _created, updated_at: _updated, ...kept } = seen;
        prev = kept;
      }
      return { ...prev, state: 'failed', ...error, attempts: prev.attempts + 1 };
    });
    await this.store.records.upsertMany(failed, now.toISOString());
  }

  /**
   * One page through the pipeline under its records' locks, reported to the metrics. With `waves`,
   * its updates of linked records are handed to the next wave instead of written now (counted when
   * their wave is written).
   */
  private async processPage(
    flow: Flow,
    runId: number,
    items: readonly SourceItem[],
    log: Logger,
    waves?: WriteWaves,
    deferRelease?: (released: Promise<void>) => void,
  ): Promise<RecordOutcome[]> {
    const pipeline = this.pipeline(flow);
    let gathered: WorkItem[] = [];
    const result = await this.executeLocked(
      flow,
      runId,
      items.map((i) => i.id),
      log,
      async (rows) => {
        const work = await pipeline.plan(items, false, rows);
        if (!waves) return work;
        gathered = work.filter(WriteWaves.gathers);
        return work.filter((w) => !WriteWaves.gathers(w));
      },
      { read: true, ...(deferRelease ? { deferRelease } : {}) },
    );
    if (gathered.length) await waves!.add(gathered);
    return result;
  }

  /**
   * Work planned under its records' locks and written, reported to the metrics: a page's, or a
   * write wave's (its work already planned). `read`: the work is given the records' link rows, read
   * in the locks' round trip (a page that plans); a wave planned already asks for none. `deferRelease`:
   * see `RecordPipeline.execute`.
   */
  private async executeLocked(
    flow: Flow,
    runId: number,
    ids: readonly string[],
    log: Logger,
    work: (rows?: ReadonlyMap<string, SyncRecord>) => Promise<WorkItem[]>,
    { read = false, deferRelease }: { read?: boolean; deferRelease?: (released: Promise<void>) => void } = {},
  ): Promise<RecordOutcome[]> {
    const started = performance.now();
    const result = await this.store.recordLocks.hold(
      flow.name,
      ids,
      async (rows) => {
        const planned = await work(rows);
        return planned.length ? this.pipeline(flow).execute(planned, runId, log, deferRelease) : [];
      },
      { read },
    );
    reportPage({
      flow: flow.name,
      runId,
      outcomes: result.map((o) => o.status),
      seconds: (performance.now() - started) / 1000,
    });
    return result;
  }

  /** A run's write waves: each written under its records' locks and counted in the run. */
  private writeWaves(flow: Flow, ctx: RunContext, log: Logger): WriteWaves {
    return new WriteWaves({
      size: flow.pageSize,
      maxWaitMs: WAVE_MAX_WAIT_MS,
      send: async (work) => {
        const ids = work.map((w) => w.sourceId);
        await ctx.tally(await this.executeLocked(flow, ctx.runId, ids, log, async () => work), 0);
      },
    });
  }

  /**
   * Ends a shared run whose pages are all in, if nobody has (its reader stopped between counting the
   * pages and ending the run, after the last page was already in): run recovery's sweep.
   */
  async endSharedIfDone(flowName: string, runId: number): Promise<boolean> {
    return (await this.endShared(this.flow(flowName), runId)) !== undefined;
  }

  /** Ends a shared run if all its pages are done (once, whoever gets there first). */
  private async endShared(flow: Flow, runId: number): Promise<RunResult | undefined> {
    const done = await this.store.runs.finishShared(runId);
    if (!done) return undefined;
    if (done.run.cursor_next) await this.store.cursors.set(flow.name, done.run.cursor_next);
    const status = done.run.status as 'succeeded' | 'completed_with_failures';
    this.logger.info({ flow: flow.name, runId, status, counts: done.counts }, 'run finished');
    // Its pages scheduled their own failures' retries (runPage).
    reportRun({ flow: flow.name, runId, phase: 'ended_elsewhere', status });
    return {
      runId,
      flow: flow.name,
      status,
      counts: done.counts,
      outcomes: [],
      ...(done.run.cursor_next ? { cursor: done.run.cursor_next } : {}),
    };
  }

  /** Syncs specific source ids now (typed ids, an ID file, a dependency, a webhook event). */
  async runIds(
    name: string,
    ids: readonly string[],
    trigger: RunTrigger,
    opts: Pick<RunOptions, 'onProgress' | 'signal'> = {},
  ): Promise<RunResult> {
    return this.run(name, { trigger, query: { ids }, ...opts });
  }

  /**
   * Retries records a person chose (or every failed record of a flow): attempts start again from
   * zero; a record whose data a person edited is written as edited, the others are re-read fresh.
   */
  async retry(sel: { ids?: readonly number[]; flow?: string; allFailed?: boolean }): Promise<RetryResult[]> {
    const rows: SyncRecord[] = [];
    if (sel.ids?.length) {
      for (const id of sel.ids) {
        const row = await this.store.records.byId(id);
        if (!row) throw new EngineError('unknown_record', `no sync record with id ${id}`);
        rows.push(row);
      }
    } else if (sel.allFailed) {
      const flows = sel.flow ? [this.flow(sel.flow).name] : this.flowNames();
      for (const f of flows)
        rows.push(...(await this.store.records.inStates(f, ['failed', 'aborted', 'waiting'], 100_000)));
    } else {
      throw new EngineError('invalid_request', 'name the records to retry, or ask for all failed records');
    }
    const byFlow = groupBy(rows, (r) => r.flow);
    const results: RetryResult[] = [];
    for (const [flowName, list] of byFlow) {
      for (const r of list) await this.store.records.setState(r.id, r.state, { attempts: 0 });
      try {
        results.push(await this.runRecords(this.flow(flowName), list, 'retry'));
      } catch (e) {
        if (!isEngineError(e) || e.code !== 'flow_busy') throw e;
        results.push(await this.retryAfterRun(flowName, list));
      }
    }
    return results;
  }

  /**
   * A retry asked for while its flow runs waits for the run, as every automatic retry does: the
   * records are due now, and the flow's retry job takes them when the run lets it.
   */
  private async retryAfterRun(flow: string, rows: readonly SyncRecord[]): Promise<QueuedRetry> {
    const now = new Date().toISOString();
    const n = rows.length;
    for (const r of rows)
      await this.store.records.setState(r.id, 'waiting', {
        attempts: 0,
        next_attempt_at: now,
        reason: 'retry asked for while the flow was running; it runs when the run ends',
      });
    await this.scheduleRetry(flow);
    return {
      flow,
      status: 'queued',
      records: n,
      message: `${flow} is running now; ${n === 1 ? 'the record is' : `the ${n} records are`} retried as soon as the run ends`,
    };
  }

  /** The automatic retry sweep of one flow: due failures and released waiters. Returns undefined when idle. */
  async processDueRetries(name: string): Promise<RunResult | undefined> {
    const flow = this.flow(name);
    const due = await this.store.records.dueRetries(flow.name, new Date().toISOString());
    if (due.length === 0) return undefined;
    return this.runRecords(flow, due, 'retry');
  }

  /**
   * Keeps retrying a flow's transient failures until none is due before `deadline` (the CLI's
   * batch waits for its own retries so it ends with every record settled).
   */
  async settle(name: string, deadline: number, signal?: AbortSignal): Promise<RunResult[]> {
    const results: RunResult[] = [];
    const flow = this.flow(name);
    for (;;) {
      if (signal?.aborted) break;
      const next = await this.store.records.nextRetryAt(flow.name);
      if (!next) break;
      const wait = Date.parse(next) - Date.now();
      if (Date.now() + Math.max(wait, 0) > deadline) break;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const r = await this.processDueRetries(flow.name);
      if (r) results.push(r);
    }
    return results;
  }

  private async runRecords(flow: Flow, rows: readonly SyncRecord[], trigger: RunTrigger): Promise<RunResult> {
    const source = this.connectors.get(flow.source);
    const edited = rows.filter((r) => r.edited === 1 && r.data);
    const fresh = rows.filter((r) => !(r.edited === 1 && r.data)).map((r) => r.source_id);
    return this.withRun(flow, trigger, { ids: rows.map((r) => r.source_id) }, async (ctx) => {
      if (edited.length) {
        await ctx.process(
          edited.map((r) => ({
            id: r.source_id,
            updatedAt: r.source_updated_at ?? new Date().toISOString(),
            data: JSON.parse(r.data!),
          })),
        );
      }
      for (let i = 0; i < fresh.length; i += flow.pageSize) {
        const ids = fresh.slice(i, i + flow.pageSize);
        const items = await source.get(flow.entity, ids);
        const got = new Set(items.map((x) => x.id));
        await ctx.process(items);
        const gone = ids.filter((id) => !got.has(id));
        if (gone.length) await this.markGone(flow, gone, source.manifest.title);
      }
    });
  }

  private async markGone(flow: Flow, ids: readonly string[], sourceTitle: string): Promise<void> {
    const rows = await this.store.records.getMany(flow.name, ids);
    for (const row of rows.values()) {
      await this.store.records.setState(row.id, 'deleted', {
        reason: `${sourceTitle} no longer has ${entityWord(flow.entity)} ${row.source_id}`,
        next_attempt_at: null,
      });
    }
  }

  /**
   * Records succeeded: whoever waits on them — by the id either system knows them by — becomes due now.
   */
  private async releaseWaiting(
    flowName: string,
    done: ReadonlyArray<{ sourceId: string; targetId?: string }>,
  ): Promise<void> {
    const flow = this.flow(flowName);
    const keys = done.flatMap((d) => [
      ReferenceResolver.waitKey(flow.entity, flow.source, d.sourceId),
      ...(d.targetId ? [ReferenceResolver.waitKey(flow.entity, flow.target, d.targetId)] : []),
    ]);
    await this.letGo(await this.store.records.waitingOn(keys));
  }

  /** Waiting records due now, each flow's retry scheduled. */
  private async letGo(waiters: readonly SyncRecord[]): Promise<void> {
    const due = waiters.filter((w) => w.state === 'waiting');
    if (due.length === 0) return;
    const now = new Date().toISOString();
    for (const w of due) await this.store.records.setState(w.id, 'waiting', { next_attempt_at: now });
    for (const f of new Set(due.map((w) => w.flow))) await this.scheduleRetry(f);
  }

  /** One retry job per flow, due at its earliest pending retry (the job key merges duplicates). */
  async scheduleRetry(flow: string): Promise<void> {
    const at = await this.store.records.nextRetryAt(flow);
    if (at)
      await this.queue.add({
        task: RETRY_TASK,
        payload: { flow },
        jobKey: `retry:${flow}`,
        runAt: new Date(at),
      });
  }

  /** Whether this process is running the run right now (a 'running' row of ours not in flight was left behind). */
  isInFlight(runId: number): boolean {
    return this.inFlight.has(runId);
  }

  private async withRun(
    flow: Flow,
    trigger: RunTrigger,
    filter: ReadQuery,
    body: (ctx: RunContext) => Promise<void>,
    opts: Pick<RunOptions, 'onProgress' | 'fanOut' | 'incremental' | 'startedBy' | 'request'> = {},
  ): Promise<RunResult> {
    const staleBefore = new Date(Date.now() - STALE_RUN_MS).toISOString();
    const sharedStaleBefore = new Date(Date.now() - STALE_SHARED_RUN_MS).toISOString();
    // Runs of every flow silent for a minute are closed; looking every few seconds is as good as at
    // every run's start, which cost each webhook's run a statement. This flow's own are looked at below.
    if (Date.now() - this.sweptAt >= SWEEP_EVERY_MS) {
      this.sweptAt = Date.now();
      await this.store.runs.closeAbandoned(staleBefore, sharedStaleBefore);
    }
    const busy = [];
    for (const r of await this.store.runs.running(flow.name)) {
      // A shared run whose pages are all queued lives on in its page jobs after its reader stops:
      // the last page ends it. Only a run still being read dies with the process reading it.
      const reading = r.pages_total === null;
      const silentBefore = reading ? staleBefore : sharedStaleBefore;
      let closed: boolean | undefined;
      if (r.heartbeat_at < silentBefore)
        closed = await this.store.runs.closeLeft(r.id, runCounts(r), ABANDONED_RUN, silentBefore);
      else if (reading && (ownerIsGone(r.owner) || (r.owner === this.owner && !this.inFlight.has(r.id))))
        closed = await this.store.runs.closeLeft(
          r.id,
          runCounts(r),
          `the process running it (${r.owner}) stopped`,
        );
      // Every page was in before its reader, stopped right after counting them, could end it.
      else if (!reading && (await this.endShared(flow, r.id))) continue;
      else busy.push(r);
      // Closed only if it still was left: one that ended, or spoke up, since it was read is as it is
      // now — gone, or busy.
      if (closed === false) {
        const now = await this.store.runs.get(r.id);
        if (now?.status === 'running') busy.push(now);
      }
    }
    if (busy.length > 0) {
      const b = busy[0]!;
      throw new EngineError(
        'flow_busy',
        `flow ${flow.name} is already running (run ${b.id}, started ${b.started_at} by ${b.owner}); try again when it ends`,
      );
    }
    const runId = await this.store.runs.start({
      flow: flow.name,
      trigger,
      // What a run taken over after its process died must do again: read since the cursor, or the filter.
      mode: opts.incremental ? 'incremental' : 'process',
      filter,
      owner: this.owner,
      ...(opts.startedBy ? { startedBy: opts.startedBy } : {}),
      ...(opts.request ? { request: opts.request } : {}),
    });
    this.inFlight.add(runId);
    const counts = emptyCounts();
    const outcomes: RecordOutcome[] = [];
    // Every line about this run says which run and flow it is about (records add their ids).
    const log = this.logger.child({ flow: flow.name, runId });
    log.debug({ trigger }, 'run started');
    reportRun({ flow: flow.name, runId, phase: 'start' });
    // The row's counts for people watching, at most every PROGRESS_MS; the end writes them all.
    const progress = new ProgressWrites(
      () => this.store.runs.progress(runId, counts, ctx.total),
      PROGRESS_MS,
    );
    const ctx: RunContext = {
      runId,
      process: async (page: readonly SourceItem[]) => {
        if (page.length === 0) return;
        await ctx.tally(await this.processPage(flow, runId, page, log, ctx.waves), page.length);
      },
      tally: async (result: readonly RecordOutcome[], read: number) => {
        counts.read += read;
        for (const o of result) {
          if (o.status === 'aborted') counts.failed++;
          else counts[o.status]++;
          // Exchanges stay in the connector log (redacted); a run result carries only the outcome.
          if (outcomes.length < MAX_OUTCOMES) {
            const { exchanges: _x, ...kept } = o;
            outcomes.push(kept);
          }
        }
        progress.note();
        opts.onProgress?.({
          runId,
          flow: flow.name,
          counts: { ...counts },
          ...(ctx.total !== undefined ? { total: ctx.total } : {}),
        });
      },
    };
    const heartbeat = setInterval(() => {
      // A shared run's counts are its pages' sums: the reader only says it is alive.
      (opts.fanOut ? this.store.runs.touch(runId) : this.store.runs.progress(runId, counts, ctx.total)).catch(
        () => undefined,
      );
    }, HEARTBEAT_MS);
    heartbeat.unref();
    let status: RunResult['status'] = 'failed';
    try {
      await logScope.run({ runId, flow: flow.name }, () => body(ctx));
      await progress.flush();
      if (ctx.pagesQueued) {
        // A shared run: its pages end it. If they are all done already, end it here.
        const { pages, cursor } = ctx.pagesQueued;
        await this.store.runs.pagesQueued(runId, pages, cursor);
        log.info({ pages }, 'pages queued');
        status = 'pages_queued';
        const ended = await this.endShared(flow, runId);
        if (ended) return ended;
        return { runId, flow: flow.name, status, counts, outcomes };
      }
      status = counts.failed > 0 ? 'completed_with_failures' : 'succeeded';
      await this.store.runs.finish(runId, status, counts);
      log.info({ status, counts }, 'run finished');
      if (counts.failed > 0 || counts.waiting > 0) await this.scheduleRetry(flow.name);
      return {
        runId,
        flow: flow.name,
        status,
        counts,
        outcomes,
        ...(ctx.cursor ? { cursor: ctx.cursor } : {}),
      };
    } catch (e) {
      const message = isLedgerlinkError(e) || e instanceof Error ? e.message : String(e);
      status = 'failed';
      await progress.flush();
      await this.store.runs.finish(runId, 'failed', counts, message);
      log.error({ err: e }, 'run failed');
      return { runId, flow: flow.name, status: 'failed', counts, outcomes, message };
    } finally {
      clearInterval(heartbeat);
      this.inFlight.delete(runId);
      // A shared run ends when its last page does (endShared reports it then).
      if (status === 'pages_queued') reportRun({ flow: flow.name, runId, phase: 'handed_off' });
      else reportRun({ flow: flow.name, runId, phase: 'end', status });
    }
  }
}

interface RunContext {
  runId: number;
  process(page: readonly SourceItem[]): Promise<void>;
  /** Counts outcomes (and records read) into the run and reports its progress. */
  tally(result: readonly RecordOutcome[], read: number): Promise<void>;
  /** The run's write waves, when its updates are gathered across pages. */
  waves?: WriteWaves;
  total?: number;
  cursor?: string;
  /** Set by a shared run's reader: the pages it queued and where the cursor goes after them. */
  pagesQueued?: { pages: number; cursor?: string };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  }
  return out;
}
