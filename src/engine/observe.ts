import { AsyncLocalStorage } from 'node:async_hooks';
import { channel } from 'node:diagnostics_channel';
import type { OutcomeStatus } from './outcome.js';

/** A run began or ended in this process. */
export interface RunReport {
  flow: string;
  runId: number;
  /**
   * `handed_off`: this process queued a shared run's pages and no longer carries it out;
   * `ended_elsewhere`: a shared run ended in the process of its last page (counted there, once).
   */
  phase: 'start' | 'end' | 'handed_off' | 'ended_elsewhere';
  status?: 'succeeded' | 'completed_with_failures' | 'failed';
}

/** A page of records went through the pipeline: how each ended, and how long the page took. */
export interface PageReport {
  flow: string;
  runId: number;
  outcomes: readonly OutcomeStatus[];
  seconds: number;
}

/**
 * What the engine tells whoever watches (the process's metrics, src/runtime/metrics.ts). Channels
 * keep the engine free of any metrics library and cost nothing while nobody listens.
 */
export const runChannel = channel('ledgerlink:engine:run');
export const pageChannel = channel('ledgerlink:engine:page');

export function reportRun(r: RunReport): void {
  if (runChannel.hasSubscribers) runChannel.publish(r);
}

export function reportPage(r: PageReport): void {
  if (pageChannel.hasSubscribers) pageChannel.publish(r);
}

/** The run being processed, for every log line written while it is — a connector's included. */
export interface LogScope {
  runId: number;
  flow: string;
}

/**
 * The run a piece of work belongs to follows it through every await, so the process's logger can put
 * runId and flow on lines logged by code that never heard of the run (a connector's lookups, the
 * reference resolver), without a logger being handed down through each call.
 */
export const logScope = new AsyncLocalStorage<LogScope>();
