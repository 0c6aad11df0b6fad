import type { ErrorData } from '../connectors/sdk/errors.js';
import type { HttpExchange } from '../connectors/sdk/http.js';
import type { ColumnValue } from './grid-columns.js';

/** What processing does (or, in a preview, would do) to one record. */
export type Plan =
  | { kind: 'create' }
  | { kind: 'update'; targetId: string; fields: readonly string[] }
  | { kind: 'unchanged'; targetId: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'fail'; error: ErrorData }
  | { kind: 'wait'; reason: string; waitingOn?: string; retryAt?: string };

export type OutcomeStatus =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'skipped'
  | 'failed'
  | 'waiting'
  | 'aborted';

export interface RecordOutcome {
  sourceId: string;
  /** The record's human key (customer number, SKU). */
  label: string;
  status: OutcomeStatus;
  action: 'create' | 'update' | 'none';
  targetId?: string;
  /** The target's number for the record, when it has one besides its id. */
  targetNumber?: string;
  reason?: string;
  error?: ErrorData;
  exchanges?: HttpExchange[];
  durationMs?: number;
  /** When an automatic retry will happen. */
  retryAt?: string;
}

/** One row of a Load preview: the record, its current sync state, and what processing would do. */
export interface PreviewRow {
  sourceId: string;
  label: string;
  updatedAt: string;
  currentState: string | null;
  targetId: string | null;
  plan: Plan['kind'];
  fields?: readonly string[];
  reason?: string;
  /** The record's value per grid column its source declares (see grid-columns.ts). */
  columns?: Record<string, ColumnValue>;
  /** A dry run's: what a waiting record waits on ("<entity>:<connection>:<id>"). */
  waitingOn?: string;
  /** A dry run's: for an update, each field that would change, with its old and new value. */
  changes?: FieldChange[];
}

/**
 * One field an update would write. `old` is the target's current value (`from: 'target'`, read in the
 * dry run) or what Ledgerlink last wrote (`from: 'last written'`: the record as last read, mapped
 * again, checked against the link's stored hash of that field); when neither can be known `oldKnown`
 * is false and `note` says why — only "changed" is known then.
 */
export interface FieldChange {
  field: string;
  oldKnown: boolean;
  old?: unknown;
  new: unknown;
  from?: 'target' | 'last written';
  note?: string;
}

export function planReason(plan: Plan): string | undefined {
  switch (plan.kind) {
    case 'skip':
    case 'wait':
      return plan.reason;
    case 'fail':
      return plan.error.message;
    case 'update':
      return `update ${plan.fields.join(', ')}`;
    default:
      return undefined;
  }
}
