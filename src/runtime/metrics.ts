import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type CallReport, callChannel } from '../connectors/sdk/calls.js';
import { type PageReport, pageChannel, type RunReport, runChannel } from '../engine/observe.js';

/** Reads a figure from wherever it is kept (the store, the queue), by label value, when Prometheus scrapes. */
export type DepthReader = () => Promise<Readonly<Record<string, number>>>;

/** The outcomes records are counted under: an aborted record is a failure that stopped retrying. */
const OUTCOME: Record<string, string> = { aborted: 'failed' };

const statusClass = (status: number | undefined): string =>
  status === undefined ? 'none' : `${Math.floor(status / 100)}xx`;

/**
 * This process's metrics in Prometheus' text format (prom-client: the library Prometheus' own Node.js
 * instructions name, with histograms, scrape-time gauges and the runtime's process figures built in).
 *
 * Counters and histograms follow what happens here, heard on the channels the HTTP client and the
 * engine publish on; figures kept elsewhere (jobs pending, the webhook inbox) are read from where they
 * live at each scrape, through the readers the runtime registers — so any process, the API's or a
 * worker's, reports the same depth, and a queue that replaces the jobs table registers its own.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly readers: { queue?: DepthReader; inbox?: DepthReader } = {};

  private readonly records = new Counter({
    name: 'ledgerlink_records_total',
    help: 'Records processed, by flow and outcome (created, updated, unchanged, skipped, failed, waiting)',
    labelNames: ['flow', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly recordSeconds = new Histogram({
    name: 'ledgerlink_record_duration_seconds',
    help: "Time a record spends in the pipeline, by flow: its page's read-to-stored time shared among the page's records",
    labelNames: ['flow'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly calls = new Counter({
    name: 'ledgerlink_http_calls_total',
    help: 'Requests sent to connected systems (each attempt), by connection, method and status class (none: no answer)',
    labelNames: ['connection', 'method', 'status_class'] as const,
    registers: [this.registry],
  });
  private readonly callSeconds = new Histogram({
    name: 'ledgerlink_http_call_duration_seconds',
    help: 'Time from sending a request to a connected system to having its whole answer, by connection',
    labelNames: ['connection'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly running = new Gauge({
    name: 'ledgerlink_runs_in_progress',
    help: 'Flow runs this process is carrying out now, by flow',
    labelNames: ['flow'] as const,
    registers: [this.registry],
  });
  private readonly runs = new Counter({
    name: 'ledgerlink_runs_total',
    help: 'Flow runs this process finished, by flow and status',
    labelNames: ['flow', 'status'] as const,
    registers: [this.registry],
  });

  constructor() {
    const readers = this.readers;
    new Gauge({
      name: 'ledgerlink_jobs_pending',
      help: 'Jobs waiting to run or running, by task (read from the queue at each scrape)',
      labelNames: ['task'] as const,
      registers: [this.registry],
      async collect() {
        await fill(this, 'task', readers.queue);
      },
    });
    new Gauge({
      name: 'ledgerlink_webhook_inbox_depth',
      help: 'Webhook deliveries stored and not yet processed, by connection (read from the store at each scrape)',
      labelNames: ['connection'] as const,
      registers: [this.registry],
      async collect() {
        await fill(this, 'connection', readers.inbox);
      },
    });
    collectDefaultMetrics({ register: this.registry });
    callChannel.subscribe((m) => this.onCall(m as CallReport));
    runChannel.subscribe((m) => this.onRun(m as RunReport));
    pageChannel.subscribe((m) => this.onPage(m as PageReport));
  }

  /** Where jobs pending are read at scrape time; returns what unregisters it (if it is still the one in use). */
  readQueueDepth(read: DepthReader): () => void {
    return this.use('queue', read);
  }

  /** Where the webhook inbox's depth is read at scrape time. */
  readInboxDepth(read: DepthReader): () => void {
    return this.use('inbox', read);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  private use(which: 'queue' | 'inbox', read: DepthReader): () => void {
    this.readers[which] = read;
    return () => {
      if (this.readers[which] === read) delete this.readers[which];
    };
  }

  private onCall(c: CallReport): void {
    this.calls.inc({ connection: c.connection, method: c.method, status_class: statusClass(c.status) });
    this.callSeconds.observe({ connection: c.connection }, c.durationMs / 1000);
  }

  private onRun(r: RunReport): void {
    if (r.phase === 'start') this.running.inc({ flow: r.flow });
    if (r.phase === 'end' || r.phase === 'handed_off') this.running.dec({ flow: r.flow });
    if (r.phase === 'end' || r.phase === 'ended_elsewhere')
      this.runs.inc({ flow: r.flow, status: r.status ?? 'failed' });
  }

  private onPage(p: PageReport): void {
    if (p.outcomes.length === 0) return;
    const each = p.seconds / p.outcomes.length;
    for (const o of p.outcomes) {
      this.records.inc({ flow: p.flow, outcome: OUTCOME[o] ?? o });
      this.recordSeconds.observe({ flow: p.flow }, each);
    }
  }
}

/**
 * Sets a scrape-time gauge from its reader. A reader that fails (the store is away) leaves the gauge
 * empty for this scrape instead of failing it: the process's own figures still matter most then.
 */
async function fill<L extends string>(
  gauge: Gauge<L>,
  label: L,
  read: DepthReader | undefined,
): Promise<void> {
  gauge.reset();
  if (!read) return;
  let values: Readonly<Record<string, number>>;
  try {
    values = await read();
  } catch {
    return;
  }
  for (const [value, n] of Object.entries(values)) gauge.set({ [label]: value } as Record<L, string>, n);
}

let instance: Metrics | undefined;

/** The process's metrics (one registry per process: Prometheus scrapes processes). */
export function processMetrics(): Metrics {
  instance ??= new Metrics();
  return instance;
}
