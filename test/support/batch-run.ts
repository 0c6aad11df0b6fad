import { batchAll } from '../../src/cli/commands/batch-all.js';
import type { Output } from '../../src/cli/output.js';
import type { RunResult } from '../../src/engine/engine.js';
import type { Context } from '../../src/runtime/context.js';

const quiet: Output = { json: true, line: () => {}, result: () => {} };

/**
 * `ledgerlink batch --between <a>,<b>` in this process: every flow between two connections once, in
 * dependency order, waiting up to `maxWaitSeconds` for automatic retries. Returns the exit code, each
 * run, and every record that failed as "<flow> <record>: <reason>" (what a test expects to be empty).
 */
export async function batchBetween(
  ctx: Context,
  between: string,
  maxWaitSeconds = 30,
): Promise<{ code: number; runs: RunResult[]; failures: string[] }> {
  const runs: RunResult[] = [];
  const code = await batchAll(
    ctx,
    { between, wait: true, maxWait: String(maxWaitSeconds) },
    quiet,
    new AbortController().signal,
    (r) => runs.push(r),
  );
  const failures = runs.flatMap((r) =>
    r.outcomes
      .filter((o) => o.status === 'failed' || o.status === 'aborted')
      .map((o) => `${r.flow} ${o.label}: ${o.reason}`),
  );
  return { code, runs, failures };
}

/** What a batch that found nothing to do shows: per flow, nothing created, updated or failed. */
export const nothingWritten = (runs: readonly RunResult[]) =>
  runs.map((r) => [r.flow, r.counts.created, r.counts.updated, r.counts.failed]);
