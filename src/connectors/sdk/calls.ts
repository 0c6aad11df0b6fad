import { channel } from 'node:diagnostics_channel';

/** One HTTP request to a system, as it ended (each attempt counts: a retried request is two calls). */
export interface CallReport {
  /** The connection's name in the configuration, or the system's name for a client used on its own. */
  connection: string;
  method: string;
  /** Absent when no answer came (refused, reset, timed out). */
  status?: number;
  durationMs: number;
}

/**
 * Every call the HTTP client makes is published here. A diagnostics channel keeps connectors free of
 * any metrics library: publishing costs nothing while nobody listens, and the process's metrics
 * (src/runtime/metrics.ts) subscribe once for every connection.
 */
export const callChannel = channel('ledgerlink:http:call');

export function reportCall(report: CallReport): void {
  if (callChannel.hasSubscribers) callChannel.publish(report);
}
