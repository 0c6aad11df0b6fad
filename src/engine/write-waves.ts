import type { WorkItem } from './pipeline.js';

export interface WriteWavesOptions {
  /** Updates in a wave before it is sent (the flow's page size: a wave writes what a page would). */
  size: number;
  /** A wave is sent once its first update has waited this long and another page comes. */
  maxWaitMs: number;
  /** Writes one wave (under its records' locks) and counts its outcomes. */
  send(work: WorkItem[]): Promise<void>;
}

/**
 * Updates of linked records gathered across pages. A run over many pages with a few changes in each
 * (one customer in a hundred) would otherwise write page after page, each page's one update alone:
 * the target's latency once per page, and no connector can read or write them together. Here a
 * page's unchanged, skipped and failed records are stored at once, and its updates of records the
 * link table already knows — their target id is known, nothing is matched or created, so no other
 * page's record can claim the same target — wait in a wave until it holds a page's worth of updates.
 * One wave is written while the next pages are read and planned; `drain` sends the rest and waits
 * for all before the run moves its cursor, so the cursor still moves only after the records it
 * covers are stored. Flows that go oldest first never gather (their writes keep the source's order).
 */
export class WriteWaves {
  private work: WorkItem[] = [];
  private firstAt = 0;
  private inFlight: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(private readonly o: WriteWavesOptions) {}

  /** Whether a planned record may wait for a wave: an update of a record already linked. */
  static gathers(w: WorkItem): boolean {
    return w.plan.kind === 'update' && !!w.prev?.target_id;
  }

  /** Adds a page's gathered updates; sends the wave when it is full or its first has waited long enough. */
  async add(work: readonly WorkItem[]): Promise<void> {
    if (work.length === 0) return;
    if (this.work.length === 0) this.firstAt = performance.now();
    this.work.push(...work);
    if (this.work.length >= this.o.size || performance.now() - this.firstAt >= this.o.maxWaitMs)
      await this.launch();
  }

  /** Sends what waits and waits for every wave sent: the run's records are then stored. */
  async drain(): Promise<void> {
    await this.launch();
    await this.settle();
  }

  /** One wave in flight at a time: the previous one must be done (and its failure raised) first. */
  private async launch(): Promise<void> {
    await this.settle();
    const wave = this.work;
    this.work = [];
    if (wave.length === 0) return;
    // Not awaited: the next pages are read and planned while it writes. Its failure is kept and
    // raised by the next add or drain, so it fails the run like a page's would.
    this.inFlight = this.o.send(wave).catch((error: unknown) => {
      this.failure = { error };
    });
  }

  private async settle(): Promise<void> {
    await this.inFlight;
    this.inFlight = undefined;
    const f = this.failure;
    this.failure = undefined;
    if (f) throw f.error;
  }
}
