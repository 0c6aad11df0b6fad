import type { Condition, Dependency } from '../engine/flow.js';
import type { EntityName } from '../model/index.js';

/**
 * A flow Ledgerlink knows by name, with the defaults the seeds describe. A configuration names a
 * flow and overrides what it needs; a flow not in the catalog must state entity, source and target.
 */
export interface CatalogFlow {
  description: string;
  entity: EntityName;
  /** Connector types (and default connection names) on each side. */
  sourceConnector: string;
  targetConnector: string;
  /** Fields the flow changes on records that already exist (the SYNC Uploader's "minimal updates"). */
  ownedFields: readonly string[];
  /**
   * Conditions; an expression reads a flow setting (`settings` below, overridden by the
   * configuration's) as the variable `$name`, and a condition's name may show it as `{{name}}`.
   */
  conditions?: readonly Condition[];
  /** The flow's settings and their defaults: data its conditions read, never text spliced into them. */
  settings?: Readonly<Record<string, string>>;
  neverOverwrite?: boolean;
  /** The source is the master of the owned fields of records born on the target too (see Flow). */
  ownsEchoes?: boolean;
  /** Records go in the order they happened; one whose predecessor has not succeeded waits (see Flow). */
  oldestFirst?: boolean;
  /** What a record refers to on the target; `flow` is found among the configured flows when omitted. */
  dependencies?: readonly Omit<Dependency, 'flow'>[];
  /** Canonical field path → value map name. */
  valueMaps?: Readonly<Record<string, string>>;
  /** After a create, the target's number is written to this field of the source record. */
  writeBack?: string;
  /** Flows a batch runs before this one (see Flow.runsAfter). */
  runsAfter?: readonly string[];
  /** Default schedule (croner syntax). */
  schedule?: string;
}
