import { z } from 'zod';
import type { EntityName } from '../../model/index.js';

/**
 * Connection fields are data: they validate a connection's settings and also build the form a
 * person fills in on the dashboard. Secret fields are write-only and never logged or returned.
 */
export interface ConnectionField {
  name: string;
  title: string;
  type: 'string' | 'url' | 'secret' | 'integer' | 'boolean' | 'enum';
  required?: boolean;
  default?: string | number | boolean;
  options?: readonly string[];
  description?: string;
  /**
   * A secret the system sends to us (a webhook token) and we never send to it: changing the
   * connection's address does not ask for it again.
   */
  inbound?: boolean;
  /**
   * Only relevant when another field has one of these values, e.g. OAuth fields when authMode is
   * oauth2; a list means "when any of these holds".
   */
  when?: FieldCondition | readonly FieldCondition[];
}

export interface FieldCondition {
  field: string;
  equals: readonly string[];
}

/** The conditions of a field, as a list. */
export const conditionsOf = (f: ConnectionField): readonly FieldCondition[] =>
  f.when === undefined ? [] : Array.isArray(f.when) ? f.when : [f.when as FieldCondition];

/**
 * A batch filter a connector can apply on its side (the seeds' checkboxes). `dates` reads by the
 * change stamp (since / until); `values` by a field taking one of the values a person picks (a pick
 * list); `ids` by a list of IDs typed or uploaded. The `ids` filter named "ids" lists the records' own
 * source ids; any other `ids` filter (an invoice's customers) lists the values of another field, and
 * reaches the connector in `ReadQuery.filters` under its name, as a `values` filter does. `text`: the
 * records whose `field` starts with the text typed (the SYNC Uploader's "a few letters into the
 * search textbox"); it reaches the connector as `ReadQuery.filters[name] = [text]`, one text of at
 * most TEXT_FILTER_MAX characters.
 */
export interface BatchFilter {
  name: string;
  /** The checkbox's title, as the source's own screen words it ("Filter By Invoice Status"). */
  title: string;
  kind: 'dates' | 'values' | 'ids' | 'text';
  /** `text`: what the text is compared with, as the source names it ("Customer ID"). */
  field?: string;
  /** The header an uploaded ID file must have, e.g. "Customer" or "InventoryID". */
  idFileHeader?: string;
  /** `ids`: what the IDs are, as the textbox beside the upload names them ("Customers", "Invoice Nbrs"). */
  idsTitle?: string;
  /**
   * `values`: the values the field takes when the source fixes them (an enum such as a document's
   * status). Without them, the connector's `filterOptions` reads them from the source (classes,
   * order types); with neither, a person types them.
   */
  options?: readonly string[];
}

/** The longest text a `text` filter takes: a search box's few letters, never a document. */
export const TEXT_FILTER_MAX = 100;

/** How a grid column shows its value: money is a {amount, currency} pair with a decimal-string amount. */
export type GridColumnType = 'text' | 'date' | 'datetime' | 'money' | 'status';

/**
 * A column of a batch screen's grid, as the source's own screen shows it. `path` is where the value is
 * in the record as the connector maps it (a dotted path such as `total` or `customerNumber`), or `$id`
 * (the source id) or `$updatedAt` (the change stamp), which every record read has even when it
 * could not be mapped. A Load keeps each row's values, so the grid sorts by any column on the server.
 */
export interface GridColumn {
  /** Stable key: the sort parameter and the row's value key (not one of the built-in sorts). */
  name: string;
  title: string;
  path: string;
  type: GridColumnType;
}

export interface EntityCapability {
  read?: {
    /** The source field the incremental cursor follows, e.g. LastModifiedDateTime. */
    cursorField: string;
    filters: readonly BatchFilter[];
    /** The batch screen's grid: the source's columns, in its order (the sync state and plan follow). */
    columns?: readonly GridColumn[];
  };
  write?: {
    /** What identifies an existing record on this system, in words (used in messages). */
    naturalKey: string;
    /**
     * Canonical fields this connector can write on an existing record; an update policy may own
     * only these. Fields outside the list are written on create only.
     */
    updatableFields: readonly string[];
  };
  webhook?: boolean;
}

/**
 * A target's allowance for one connection (a QuickBooks company, an Acumatica tenant), kept by every
 * process that talks to it together. A configuration may override any field per connection.
 */
export interface RateLimit {
  requestsPerSecond?: number;
  /** For systems that count per minute (QuickBooks Online: 500 per company). */
  requestsPerMinute?: number;
  /** Requests in flight at once. */
  concurrency?: number;
}

/**
 * A list of the system's records that is not itself synced, shown beside the flows' entities on the
 * accounting view (the SYNC Uploader's "Invoice Items" and "Transactions", §6): searched like an
 * entity (its `text` filter), shown in its columns. `uploads` names the entities a row can bring
 * over (each row says which of its records: a transaction its account and invoice); without it the
 * list is view-only, and `viewOnly` says why in a person's words.
 */
export interface Listing {
  name: string;
  title: string;
  filters: readonly BatchFilter[];
  columns: readonly GridColumn[];
  uploads?: readonly EntityName[];
  viewOnly?: string;
}

export interface ConnectorManifest {
  name: string;
  title: string;
  connectionFields: readonly ConnectionField[];
  entities: Partial<Record<EntityName, EntityCapability>>;
  /** Lists of records beside the entities, to view and to upload what they refer to (see Listing). */
  listings?: readonly Listing[];
  /** shift-close: the system announces a register shift closing (a POS), which a flow may run on. */
  triggers: readonly ('poll' | 'webhook' | 'batch' | 'shift-close')[];
  rateLimit?: RateLimit;
  /**
   * Its reads wait in a desktop program's queue (the QuickBooks Web Connector): a read leaves a
   * request behind, so what only looks (a dry run) does not read it.
   */
  queuedReads?: boolean;
}

/** Builds the zod schema that validates a connection's settings from its declared fields. */
export function settingsSchema(fields: readonly ConnectionField[]): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const f of fields) {
    let s: z.ZodType;
    switch (f.type) {
      case 'url':
        s = z.url({ message: `${f.title} must be a URL such as http://127.0.0.1:8081` });
        break;
      case 'integer':
        s = z.coerce.number().int();
        break;
      case 'boolean':
        s = z.boolean();
        break;
      case 'enum':
        s = z.enum(f.options as [string, ...string[]]);
        break;
      default:
        s = z.string().min(1, { message: `${f.title} must not be empty` });
    }
    if (f.default !== undefined) s = s.default(f.default as never);
    else if (!f.required || f.when) s = s.optional();
    shape[f.name] = s;
  }
  return z
    .object(shape)
    .strict()
    .superRefine((value, ctx) => {
      for (const f of fields) {
        if (!f.required || !f.when) continue;
        const holding = conditionsOf(f).find((c) => {
          const other = value[c.field];
          return typeof other === 'string' && c.equals.includes(other);
        });
        if (holding && value[f.name] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [f.name],
            message: `${f.title} is required when ${holding.field} is ${String(value[holding.field])}`,
          });
        }
      }
    }) as z.ZodType<Record<string, unknown>>;
}

export const secretFieldNames = (fields: readonly ConnectionField[]): string[] =>
  fields.filter((f) => f.type === 'secret').map((f) => f.name);
