import type { RunProgress } from '../engine/engine.js';

/**
 * A one-line progress bar on a terminal (stderr), redrawn at most every 100 ms. With no known total
 * it shows counts and speed; off a terminal it stays silent so logs and pipes get only results.
 */
export class ProgressBar {
  private last = 0;
  private readonly started = Date.now();
  private drawn = false;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    enabled = process.stderr.isTTY === true,
  ) {
    this.enabled = enabled;
  }

  update(p: RunProgress, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const c = p.counts;
    const done = c.read;
    const rate = done / Math.max(0.001, (now - this.started) / 1000);
    const counts = `created ${c.created} · updated ${c.updated} · unchanged ${c.unchanged} · skipped ${c.skipped} · failed ${c.failed}`;
    let bar = '';
    if (p.total) {
      const frac = Math.min(1, done / p.total);
      const width = 24;
      const full = Math.round(frac * width);
      bar = `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${String(Math.round(frac * 100)).padStart(3)}% ${done}/${p.total} `;
    } else bar = `${done} records `;
    process.stderr.write(`\r\x1b[2K${this.label} ${bar}· ${counts} · ${rate.toFixed(0)}/s`);
    this.drawn = true;
  }

  done(): void {
    if (this.enabled && this.drawn) process.stderr.write('\n');
  }
}
