import type { EntityName } from '../model/index.js';

/** A named JSONata expression; a record passes the flow's conditions when ANY of them is true. */
export interface Condition {
  name: string;
  expression: string;
  /** Optional JSONata saying why it is false, shown in the log ("the unpaid balance is 120.50 USD"). */
  explain?: string;
}

/**
 * A record of this flow refers to records of another entity that must be on the target first (an
 * order needs its customer and products; a shipment needs its order). They are found through the
 * link table of any flow between the same two connections, in either direction; a missing one is
 * synced first by `flow` (default: the configured flow of that entity from this flow's source to its
 * target), and while it is not there the record waits on it.
 */
export interface Dependency {
  entity: EntityName;
  /** JSONata expression over the canonical record giving the ids the record refers to, as the source knows them. */
  ids: string;
  /** The flow that brings a missing one over; none configured: the record only waits. */
  flow?: string;
  /**
   * The ids are the target's own keys for these records too (an account reference or stock code both
   * systems share), so the target is asked whether it has them when the link table does not know
   * them. One it lacks, with no flow to bring it, fails the record naming it: waiting would wait on
   * nothing, and writing would fail at the target.
   */
  targetKeys?: boolean;
}

/** After a create, tell the source what the target made (its number, or its id). */
export interface WriteBack {
  /** The canonical field on the source record that receives the value. */
  field: string;
  /** `number` (default) writes the number a person knows (Magento's increment_id), falling back to the id. */
  value: 'number' | 'id';
}

/** One row of a value map: the same thing's code on each connection, by connection name. */
export type ValueMapRow = Readonly<Record<string, string>>;

/** A named value map (shipping methods, payment methods, order types, tax classes). */
export interface ValueMap {
  name: string;
  rows: readonly ValueMapRow[];
}

/**
 * When a flow runs (the seeds' sync modes): in real time (webhooks, with the schedule as the polling
 * pass behind them), at a register's shift closing (a source event), at scheduled hours only, or
 * only when a person asks.
 */
export const SYNC_MODES = ['realtime', 'shift-close', 'scheduled', 'manual'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

/** A flow as the engine runs it: entity E from connection A to connection B, with its policy. */
export interface Flow {
  name: string;
  /** What the flow does, in the catalog's or the configuration's words. */
  description?: string;
  /** The flow's settings (enabledAttribute: KNB): its conditions read each as a variable, `$name`. */
  settings?: Readonly<Record<string, string>>;
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
  /**
   * This flow's source is the master of its owned fields wherever a record was born: a record that
   * came from the target through the flow the other way (a shop sign-up created in the ERP) is linked
   * at first sight, then kept up to date like any other (the ERP's credit limits reach the shop).
   * Otherwise such a record stays the other side's: linked, never written from here (a web order
   * imported into the ERP is not written back by the ERP → shop order flow).
   */
  ownsEchoes: boolean;
  /**
   * Records go in the order they happened (seed 002: "every synchronization must be done from the
   * very beginning"): a record touching a stock position or transfer that an earlier record of the
   * same source has not yet succeeded on waits for it ("waiting for … to succeed") and goes once it
   * does; retries go oldest first (engine/sequence.ts).
   */
  oldestFirst: boolean;
  conditions: readonly Condition[];
  dependencies: readonly Dependency[];
  /** A JSONata expression applied to each canonical record before anything else (field mapping overrides). */
  transform?: string;
  /**
   * Canonical fields whose codes are translated from the source's to the target's by a value map:
   * field path (dots go through arrays: "taxLines.code") → map name. An unmapped code fails the
   * record, naming the map.
   */
  valueMaps: Readonly<Record<string, string>>;
  writeBack?: WriteBack;
  /**
   * Flows a batch runs before this one although it does not refer to their records: what they write
   * becomes this flow's source (CRM orders uploaded as accounting invoices, which go back to the CRM
   * as invoices), so one batch leaves nothing for the next.
   */
  runsAfter?: readonly string[];
  /** Cron expression (croner) for scheduled runs. */
  schedule?: string;
  syncMode: SyncMode;
  /**
   * `source`: a created customer keeps its number from the source as its number on the target (the
   * seed's "use the id in customer data as the mapping"; one without a number of its own — marked
   * internalNumber by its connector — is still numbered by the target); `target`: the target numbers
   * it (the record is marked internalNumber for the target connector).
   */
  idMapping: 'source' | 'target';
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
  ownsEchoes: false,
  oldestFirst: false,
  conditions: [],
  dependencies: [],
  valueMaps: {},
  syncMode: 'realtime',
  idMapping: 'target',
  overlapMs: 5 * 60_000,
  pageSize: 100,
  maxAttempts: 5,
  retryBaseMs: 30_000,
  retryCapMs: 60 * 60_000,
} satisfies Partial<Flow>;
