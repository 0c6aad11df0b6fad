import type { Store } from '../../store/index.js';

/** Entries read per report; a busier interval says "and more". */
const PER_REPORT = 5_000;

const clock = (d: Date) => d.toTimeString().slice(0, 8);

/**
 * What the demo's terminal says while it runs, in sentences, from the connector log: every
 * `everyMs`, what each flow synced and which records failed — each failure named once, with its
 * reason, the first time it happens; the same failure again is only counted. Nothing is said when
 * nothing happened. The JSON log lines go to the demo's log file instead.
 */
export function startReport(store: Store, print: (line: string) => void, everyMs: number): () => void {
  let lastId = 0;
  let since = new Date(Date.now() - 1000).toISOString();
  const named = new Set<string>();
  let busy = false;

  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const now = new Date();
      const { rows } = await store.log.list({ since, limit: PER_REPORT });
      const fresh = rows.filter((r) => r.id > lastId).reverse();
      if (!fresh.length) return;
      lastId = fresh[fresh.length - 1]!.id;
      // An entry is stamped when its record was processed, a little before its page is stored.
      since = new Date(now.getTime() - 120_000).toISOString();
      const synced = new Map<string, Set<string>>();
      const failedAgain = new Set<string>();
      const failures: string[] = [];
      for (const r of fresh) {
        if (r.status === 'success') {
          const ids = synced.get(r.flow) ?? new Set<string>();
          ids.add(r.source_id);
          synced.set(r.flow, ids);
        } else if (r.status === 'failed' || r.status === 'aborted') {
          const key = `${r.flow}|${r.source_id}|${r.reason ?? ''}`;
          if (named.has(key)) failedAgain.add(`${r.flow}|${r.source_id}`);
          else {
            named.add(key);
            failures.push(
              `${clock(now)}    failed: ${r.flow} ${r.source_id} — ${r.reason ?? 'no reason given'}`,
            );
          }
        }
      }
      const parts: string[] = [];
      if (synced.size)
        parts.push(`synced ${[...synced].map(([flow, ids]) => `${flow} ${ids.size}`).join(', ')}`);
      if (failures.length) parts.push(`${failures.length} new failure${failures.length === 1 ? '' : 's'}`);
      if (failedAgain.size)
        parts.push(
          `${failedAgain.size} record${failedAgain.size === 1 ? '' : 's'} failed again (named before)`,
        );
      if (rows.length >= PER_REPORT) parts.push('and more (see the connector log)');
      if (parts.length) print(`${clock(now)}  ${parts.join(' · ')}`);
      for (const f of failures) print(f);
    } catch {
      // The store is closing, or busy: the next report says it.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
