import type { RunResult } from '../../engine/engine.js';
import { dependencyOrder } from '../../engine/flow-order.js';
import type { Context } from '../../runtime/context.js';
import { EXIT, type Output, UsageError } from '../output.js';

export interface BatchAllOptions {
  /** Two connection names: only the flows between them, either way. */
  between?: string;
  wait: boolean;
  maxWait: string;
}

/**
 * `ledgerlink batch` without a flow: every enabled flow (or those between two connections) once,
 * reading what changed since each flow's cursor, in dependency order — customers and products before
 * the invoices and orders that need them. The SYNC Uploader's `syncupload.exe batch` for the task
 * scheduler or cron: the exit code says whether anything failed.
 */
export async function batchAll(
  ctx: Context,
  o: BatchAllOptions,
  out: Output,
  signal: AbortSignal,
  print: (r: RunResult, ms: number) => void,
): Promise<number> {
  let flows = ctx.engine
    .flowNames()
    .map((n) => ctx.engine.flow(n))
    .filter((f) => f.enabled);
  if (o.between !== undefined) {
    const pair = o.between
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (pair.length !== 2)
      throw new UsageError('--between takes two connection names, e.g. quickbooks,dynamics');
    for (const c of pair)
      if (!ctx.config.connections.has(c))
        throw new UsageError(
          `--between: there is no connection "${c}"; configured: ${[...ctx.config.connections.keys()].join(', ')}`,
        );
    flows = flows.filter((f) => pair.includes(f.source) && pair.includes(f.target));
  }
  if (flows.length === 0) throw new UsageError('no enabled flow to run');
  const results: RunResult[] = [];
  let stillFailing = 0;
  for (const flow of dependencyOrder(flows)) {
    if (signal.aborted) break;
    const started = Date.now();
    const result = await ctx.engine.run(flow.name, {
      trigger: 'batch',
      query: {},
      incremental: true,
      signal,
    });
    if (o.wait && result.status !== 'failed')
      await ctx.engine.settle(flow.name, Date.now() + Number(o.maxWait) * 1000, signal);
    const states = await ctx.store.records.countByState(flow.name);
    stillFailing += (states.failed ?? 0) + (states.aborted ?? 0);
    results.push(result);
    print(result, Date.now() - started);
  }
  const failedRuns = results.filter((r) => r.status === 'failed').length;
  out.result({
    flows: results.map(({ outcomes: _o, ...r }) => r),
    failedRuns,
    recordsStillFailing: stillFailing,
  });
  out.line(
    `\n${results.length} flows run in dependency order; ${failedRuns} runs failed; ${stillFailing} records failing`,
  );
  if (failedRuns > 0) return EXIT.error;
  return stillFailing > 0 ? EXIT.recordFailures : EXIT.ok;
}
