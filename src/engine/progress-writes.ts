/**
 * A run's counts written to its row at most once per `everyMs`: counts noted inside the window are
 * written when it ends (the latest then), so the row is never more than a window behind. A run
 * shorter than the window (a webhook's few records) writes no progress at all, since its end writes
 * its counts: each of its pages cost a write that the end made at once obsolete. `flush`, before the
 * run's last write, cancels the pending write and waits for one in flight, so none lands after it.
 * A failed write is left to the next (progress is for people watching; the end's write is the one
 * that must land, and fails the run if it cannot).
 */
export class ProgressWrites {
  private last: number;
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly write: () => Promise<void>,
    private readonly everyMs: number,
  ) {
    this.last = Date.now();
  }

  /** The counts changed. */
  note(): void {
    if (this.closed || this.timer) return;
    const wait = this.last + this.everyMs - Date.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, wait);
    this.timer.unref();
  }

  /** No more progress: the run's end is written next. */
  async flush(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
  }

  private fire(): void {
    if (this.closed) return;
    this.last = Date.now();
    this.writing = this.writing.then(this.write).catch(() => undefined);
  }
}
