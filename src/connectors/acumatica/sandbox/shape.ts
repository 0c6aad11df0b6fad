import { randomUUID } from 'node:crypto';
import type { RawEntity } from '../types.js';

/**
 * Fields an older endpoint version does not have, by resource and path of linked entity: the
 * sandbox stores the newest shape and leaves these out when answering on that version.
 */
const ABSENT: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  '23.200.001': {
    StockItem: ['LastModifiedDateTime'],
    Shipment: ['UnlimitedPackages'],
    SalesInvoice: [
      'BillToAddress',
      'BillToAddressOverride',
      'BillToContact',
      'BillToContactOverride',
      'CreatedDate',
      'ExternalRef',
      'LastModifiedDate',
      'ShipToAddress',
      'ShipToAddressOverride',
      'ShipToContact',
      'ShipToContactOverride',
      'TaxCalcMode',
    ],
    'SalesInvoice/Details': ['Account', 'ExternalRef', 'ManualPrice', 'NoteID', 'SubAccount'],
  },
};

/** Fields the answer sets itself, whatever a stored record (or a request merged into it) holds. */
const SERVED = new Set(['id', 'rowNumber', 'custom', 'files', 'error', 'delete']);

/** A linked entity or a detail collection: returned only when $expand names it. */
const isLinked = (v: unknown): boolean =>
  Array.isArray(v) || (v !== null && typeof v === 'object' && !('value' in (v as object)));

function shapeLinked(
  raw: RawEntity,
  path: string,
  resource: string,
  version: string,
  expand: ReadonlySet<string>,
  rowNumber: number,
): RawEntity {
  const absent = ABSENT[version]?.[`${resource}/${path}`] ?? [];
  const out: RawEntity = { ...(raw.id ? { id: raw.id } : {}), rowNumber, note: { value: '' }, custom: {} };
  for (const [k, v] of Object.entries(raw)) {
    if (SERVED.has(k) || absent.includes(k)) continue;
    if (isLinked(v)) {
      const p = `${path}/${k}`;
      if (!expand.has(p)) continue;
      out[k] = Array.isArray(v)
        ? v.map((x, i) => shapeLinked(x as RawEntity, p, resource, version, expand, i + 1))
        : shapeLinked(v as RawEntity, p, resource, version, expand, 1);
      continue;
    }
    out[k] = v;
  }
  return out;
}

/**
 * The custom fields $custom names (`View.Field`), as the API answers them: view → field →
 * {type, value}. A record keeps its custom values as `custom` in that shape; a field it lacks is absent.
 */
function customFields(raw: RawEntity, wanted: ReadonlySet<string> | undefined): RawEntity {
  const out: Record<string, Record<string, unknown>> = {};
  const kept = (raw.custom ?? {}) as Record<string, Record<string, unknown>>;
  for (const path of wanted ?? []) {
    const [view, field] = path.split('.');
    if (!view || !field) continue;
    const v = kept[view]?.[field];
    if (v !== undefined) out[view] = { ...out[view], [field]: v };
  }
  return out as RawEntity;
}

/**
 * Keeps only what $expand and $select ask for, as the contract-based API does: linked entities and
 * detail collections appear when expanded (nested ones by path, "MainContact/Address"), plain fields
 * when selected (all of them without $select), each row numbered.
 */
export function shape(
  raw: RawEntity,
  resource: string,
  version: string,
  expand: ReadonlySet<string>,
  select?: ReadonlySet<string>,
  rowNumber = 1,
  custom?: ReadonlySet<string>,
): RawEntity {
  const absent = ABSENT[version]?.[resource] ?? [];
  const out: RawEntity = {
    id: raw.id ?? randomUUID(),
    rowNumber,
    note: { value: '' },
    custom: customFields(raw, custom),
  };
  for (const [k, v] of Object.entries(raw)) {
    if (SERVED.has(k) || absent.includes(k)) continue;
    if (isLinked(v)) {
      if (!expand.has(k)) continue;
      out[k] = Array.isArray(v)
        ? v.map((x, i) => shapeLinked(x as RawEntity, k, resource, version, expand, i + 1))
        : shapeLinked(v as RawEntity, k, resource, version, expand, 1);
      continue;
    }
    if (select && !select.has(k)) continue;
    out[k] = v;
  }
  return out;
}

/** Every path of linked entities in a record, for an answer that must show all of them (a 422 echo). */
export function linkedPaths(raw: RawEntity, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (!isLinked(v)) continue;
    const p = prefix ? `${prefix}/${k}` : k;
    out.push(p);
    const rows = Array.isArray(v) ? v : [v];
    for (const r of rows) if (r && typeof r === 'object') out.push(...linkedPaths(r as RawEntity, p));
  }
  return [...new Set(out)];
}
