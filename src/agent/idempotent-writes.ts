/** Answers kept for writes, by idempotency key; the oldest go first. */
export const KEPT_WRITES = 2000;
/** How long a write's answer is kept for a retry of it. */
export const KEPT_WRITE_MS = 60 * 60_000;

/**
 * A write done once per idempotency key: the server repeats a write whose answer it did not get (the
 * connection dropped after the agent wrote), and gets the first write's answer instead of a second
 * invoice. A repeat that arrives while the first is still writing waits for it. A write that failed
 * as a whole (nothing written) is forgotten, so its repeat writes.
 */
export class IdempotentWrites<T> {
  private readonly kept = new Map<string, { at: number; answer: Promise<T> }>();

  constructor(
    private readonly max = KEPT_WRITES,
    private readonly ttlMs = KEPT_WRITE_MS,
    private readonly now = Date.now,
  ) {}

  run(key: string, work: () => Promise<T>): { answer: Promise<T>; repeat: boolean } {
    this.expire();
    const seen = this.kept.get(key);
    if (seen) return { answer: seen.answer, repeat: true };
    const answer = work();
    this.kept.set(key, { at: this.now(), answer });
    answer.catch(() => this.kept.delete(key));
    while (this.kept.size > this.max) this.kept.delete(this.kept.keys().next().value as string);
    return { answer, repeat: false };
  }

  private expire(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [k, v] of this.kept) {
      if (v.at >= cutoff) break;
      this.kept.delete(k);
    }
  }
}
