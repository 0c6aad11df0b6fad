import type { EntityName } from '../model/index.js';

/** A named JSONata expression; a record passes the flow's conditions when ANY of them is true. */
export interface Condition {
  name: string;
  expression: string;
}

/** A record of this flow needs a record of another flow on the target first (an order needs its customer). */
export interface Dependency {
  flow: string;
  /** JSONata expression over the canonical record giving the predecessor's source id(s). */
  ids: string;
}

/** After a create, tell the source what the target made (its id or number). */
export interface WriteBack {
  /** The canonical field on the source record that receives the value. */
  field: string;
}

/** A flow as the engine runs it: entity E from connection A to connection B, with its policy. */
export interface Flow {
  name: string;
  entity: EntityName;
  source: string;
  target: string;
  enabled: boolean;
  /** Create records the target lacks (otherwise they are skipped with a reason). */
  createIfMissing: boolean;
  /** Canonical fields this flow may change on records that already exist; every other field is never touched. */
  ownedFields: readonly string[];
  /** Existing target records are never changed (the seeds' invoices). */
  neverOverwrite: boolean;
  conditions: readonly Condition[];
  dependencies: readonly Dependency[];
  /** A JSONata expression applied to each canonical record before anything else (field mapping overrides). */
  transform?: string;
  writeBack?: WriteBack;
  /** Cron expression (croner) for scheduled runs. */
  schedule?: string;
  /** Re-read this far behind the cursor so late-committed rows and shared timestamps are never missed. */
  overlapMs: number;
  pageSize: number;
  /** Automatic attempts for transient failures before the record waits for a person. */
  maxAttempts: number;
  /** First automatic retry delay; doubles each attempt up to retryCapMs. */
  retryBaseMs: number;
  retryCapMs: number;
}

export const flowDefaults = {
  enabled: true,
  createIfMissing: true,
  neverOverwrite: false,
  conditions: [],
  dependencies: [],
  overlapMs: 5 * 60_000,
  pageSize: 100,
  maxAttempts: 5,
  retryBaseMs: 30_000,
  retryCapMs: 60 * 60_000,
} satisfies Partial<Flow>;
