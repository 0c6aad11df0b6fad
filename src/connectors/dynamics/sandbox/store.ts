import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { badPayload, notFound, ODataFailure, syntax, tooLong, unknownProperty } from './errors.js';
import { parseFilter, type Row, resolveColumn, splitTop } from './filter.js';
import { OPTIONS, ORDER_STATUS, TABLES, type Table } from './schema.js';

export const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

export type Change = { set: string; id: string; message: 'Create' | 'Update' | 'Delete'; row: Row };

/** Undo steps of a change set, so that a failed one leaves nothing behind. */
type Journal = Array<() => void>;

const round2 = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

/** The columns of each child table that name its parent (a collection's foreign key). */
const FOREIGN_KEYS = new Map<string, string[]>();
for (const t of Object.values(TABLES))
  for (const c of Object.values(t.collections))
    FOREIGN_KEYS.set(c.set, [...new Set([...(FOREIGN_KEYS.get(c.set) ?? []), c.fk])]);

/**
 * The environment's rows, by entity set. Every write moves the row's versionnumber (its etag) and
 * modifiedon, is logged for change tracking, and recomputes the totals Dataverse keeps on invoices and
 * orders (Σ price per unit × quantity, less discounts, plus tax).
 */
export class Store {
  readonly rows: Record<string, Map<string, Row>> = Object.fromEntries(
    Object.keys(TABLES).map((set) => [set, new Map<string, Row>()]),
  );
  version = 1000;
  /** Delta links from before this version have expired (past the table's change tracking retention). */
  deltaFloor = 0;
  readonly deleted: Array<{ set: string; id: string; version: number }> = [];
  /** Every $filter a collection was read with, in order (tests check what a read asked for). */
  readonly filters: Array<{ set: string; filter: string }> = [];
  readonly listeners: Array<(c: Change) => void> = [];
  /** The clock rows are stamped with (tests move it to share timestamps). */
  now: () => Date = () => new Date();
  /**
   * Ids of child rows (invoice lines, order lines) by their parent's id, so that recomputing a header's
   * totals on every line's write does not scan every line of the environment (a benchmark's 50,000
   * lines made that quadratic). Entries are only added: a row deleted, undone or moved to another
   * parent is dropped when read, by checking the row as it is now.
   */
  private readonly childIds = new Map<string, Map<string, Set<string>>>();

  private index(set: string, id: string, row: Row): void {
    for (const fk of FOREIGN_KEYS.get(set) ?? []) {
      const parent = row[fk];
      if (parent === undefined || parent === null) continue;
      const key = `${set} ${fk}`;
      const byParent = this.childIds.get(key) ?? new Map<string, Set<string>>();
      this.childIds.set(key, byParent);
      const ids = byParent.get(String(parent)) ?? new Set<string>();
      byParent.set(String(parent), ids);
      ids.add(id);
    }
  }

  /** The rows of `set` whose `fk` is `parent`, as they are now. */
  childrenOf(set: string, fk: string, parent: unknown): Row[] {
    const ids = this.childIds.get(`${set} ${fk}`)?.get(String(parent));
    const out: Row[] = [];
    for (const id of ids ?? []) {
      const row = this.rows[set]!.get(id);
      if (row && row[fk] === parent) out.push(row);
    }
    return out;
  }
  private journal?: Journal;

  table(set: string): Table {
    const t = TABLES[set];
    if (!t) throw new ODataFailure(404, '0x80060888', `Resource not found for the segment '${set}'.`);
    return t;
  }

  get(set: string, id: string): Row {
    const t = this.table(set);
    const row = this.rows[set]!.get(id.toLowerCase());
    if (!row) throw notFound(t.logical, id);
    return row;
  }

  /** Runs writes all-or-nothing (a change set). */
  atomically<T>(f: () => T): T {
    const outer = this.journal;
    const journal: Journal = [];
    this.journal = journal;
    try {
      return f();
    } catch (e) {
      for (const undo of journal.reverse()) undo();
      throw e;
    } finally {
      this.journal = outer;
      if (outer) outer.push(...journal);
    }
  }

  private stamp(row: Row): void {
    this.version++;
    row.versionnumber = this.version;
    row.modifiedon = this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }

  /** Binds, columns and deep-inserted children of a body, checked as Dataverse checks them. */
  private apply(
    t: Table,
    row: Row,
    body: Row,
    resolveRef: (ref: string) => string | undefined,
  ): Array<[string, Row[]]> {
    const children: Array<[string, Row[]]> = [];
    for (const [key, value] of Object.entries(body)) {
      if (key.startsWith('@')) continue;
      if (key.endsWith('@odata.bind')) {
        const nav = key.slice(0, -'@odata.bind'.length);
        const lookup = t.lookups[nav];
        if (!lookup)
          throw badPayload(
            t.set,
            `An undeclared property '${nav}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
          );
        if (value === null) {
          row[lookup.column] = null;
          continue;
        }
        const ref = String(value);
        const id = ref.startsWith('$')
          ? resolveRef(ref)
          : /\(([0-9a-fA-F-]{36})\)\s*$/.exec(ref)?.[1]?.toLowerCase();
        const set = ref.startsWith('$') ? lookup.target : /([a-z_]+)\([0-9a-fA-F-]{36}\)\s*$/.exec(ref)?.[1];
        if (!id || set !== lookup.target)
          throw badPayload(t.set, `The reference '${ref}' of ${nav} does not name a ${lookup.target} row.`);
        if (id !== row[t.pk]) this.get(lookup.target, id);
        row[lookup.column] = id;
        continue;
      }
      const coll = t.collections[key];
      if (coll) {
        if (!Array.isArray(value)) throw badPayload(t.set, `The value of '${key}' must be a collection.`);
        children.push([key, value as Row[]]);
        continue;
      }
      const col = t.columns[key];
      if (!col || (col.readOnly && !(key === 'extendedamount'))) {
        if (!col)
          throw badPayload(
            t.set,
            `The property '${key}' does not exist on type 'Microsoft.Dynamics.CRM.${t.logical}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
          );
        continue; // read-only columns are ignored, as Dataverse ignores them
      }
      if (value === null) {
        row[key] = null;
        continue;
      }
      switch (col.type) {
        case 'string':
        case 'memo':
          if (typeof value !== 'string')
            throw badPayload(
              t.set,
              `Cannot convert the literal '${String(value)}' to the expected type 'Edm.String'.`,
            );
          if (col.max !== undefined && value.length > col.max) throw tooLong(t.logical, key, col.max);
          break;
        case 'int':
        case 'picklist':
          if (!Number.isInteger(value))
            throw badPayload(
              t.set,
              `Cannot convert the literal '${String(value)}' to the expected type 'Edm.Int32'.`,
            );
          break;
        case 'decimal':
        case 'money':
          if (typeof value !== 'number')
            throw badPayload(
              t.set,
              `Cannot convert the literal '${String(value)}' to the expected type 'Edm.Decimal'.`,
            );
          break;
        case 'bool':
          if (typeof value !== 'boolean')
            throw badPayload(
              t.set,
              `Cannot convert the literal '${String(value)}' to the expected type 'Edm.Boolean'.`,
            );
          break;
        default:
          break;
      }
      const options = OPTIONS[`${t.logical}.${key}`];
      if (options && typeof value === 'number' && !options[value])
        throw new ODataFailure(
          400,
          '0x8004431a',
          `${key} value ${value} is not a valid option for ${t.logical}.`,
        );
      row[key] = value;
    }
    return children;
  }

  create(set: string, body: Row, resolveRef: (ref: string) => string | undefined = () => undefined): Row {
    const t = this.table(set);
    return this.atomically(() => {
      const id = (typeof body[t.pk] === 'string' ? String(body[t.pk]) : randomUUID()).toLowerCase();
      if (this.rows[set]!.has(id))
        throw new ODataFailure(412, '0x80040237', 'A record with matching key values already exists.');
      const row: Row = {
        [t.pk]: id,
        statecode: 0,
        statuscode: 1,
        createdon: this.now()
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
      };
      const children = this.apply(t, row, body, resolveRef);
      for (const r of t.required) {
        const lookup = t.lookups[r];
        const v = lookup ? row[lookup.column] : row[r];
        if (v === undefined || v === null || v === '')
          throw new ODataFailure(400, '0x80040203', `Attribute '${r}' cannot be NULL or empty.`);
      }
      this.defaults(t, row);
      this.checkStatus(t, row);
      this.stamp(row);
      this.rows[set]!.set(id, row);
      this.index(set, id, row);
      this.journal?.push(() => this.rows[set]!.delete(id));
      for (const [nav, list] of children) {
        const coll = t.collections[nav]!;
        for (const child of list)
          this.create(coll.set, { ...child, [`${coll.nav}@odata.bind`]: `/${set}(${id})` }, resolveRef);
      }
      this.afterWrite(t, row);
      this.emit({ set, id, message: 'Create', row });
      return row;
    });
  }

  update(set: string, id: string, body: Row, ifMatch?: string): Row {
    const t = this.table(set);
    return this.atomically(() => {
      const row = this.get(set, id);
      if (ifMatch && ifMatch !== '*' && ifMatch !== etagOf(row))
        throw new ODataFailure(
          412,
          '0x80060882',
          "The version of the existing record doesn't match the RowVersion property provided.",
        );
      const before = { ...row };
      this.journal?.push(() => this.rows[set]!.set(id.toLowerCase(), before));
      const next = { ...row };
      const children = this.apply(t, next, body, () => undefined);
      if (children.length)
        throw badPayload(set, 'Deep update of collection-valued navigation properties is not supported.');
      this.checkStatus(t, next);
      this.defaults(t, next);
      this.stamp(next);
      this.rows[set]!.set(id.toLowerCase(), next);
      this.index(set, id.toLowerCase(), next);
      this.afterWrite(t, next);
      this.emit({ set, id: id.toLowerCase(), message: 'Update', row: next });
      return next;
    });
  }

  delete(set: string, id: string): void {
    const t = this.table(set);
    this.atomically(() => {
      const row = this.get(set, id);
      this.rows[set]!.delete(id.toLowerCase());
      this.version++;
      const entry = { set, id: id.toLowerCase(), version: this.version };
      this.deleted.push(entry);
      this.journal?.push(() => {
        this.rows[set]!.set(id.toLowerCase(), row);
        this.deleted.splice(this.deleted.indexOf(entry), 1);
      });
      for (const [, coll] of Object.entries(t.collections))
        for (const child of this.childrenOf(coll.set, coll.fk, id.toLowerCase()))
          this.delete(coll.set, String(child[TABLES[coll.set]!.pk]));
      this.afterWrite(t, row);
      this.emit({ set, id: id.toLowerCase(), message: 'Delete', row });
    });
  }

  private emit(c: Change): void {
    for (const l of this.listeners) l(c);
  }

  private checkStatus(t: Table, row: Row): void {
    if (t.logical !== 'salesorder') return;
    const s = ORDER_STATUS.find((o) => o.value === row.statuscode);
    if (!s)
      throw new ODataFailure(
        400,
        '0x8004431a',
        `${row.statuscode} is not a valid status code for state code SalesOrderState.Active on salesorder with Id ${row.salesorderid}.`,
      );
    row.statecode = s.state;
  }

  /** What Dataverse fills in: a contact's full name, a line's price from the price list, line amounts. */
  private defaults(t: Table, row: Row): void {
    if (t.logical === 'contact') row.fullname = [row.firstname, row.lastname].filter(Boolean).join(' ');
    if (t.logical === 'invoicedetail' || t.logical === 'salesorderdetail') {
      if (row.ispriceoverridden !== true && row._productid_value) {
        const header =
          t.logical === 'invoicedetail'
            ? this.rows.invoices!.get(String(row._invoiceid_value))
            : this.rows.salesorders!.get(String(row._salesorderid_value));
        const item = [...this.rows.productpricelevels!.values()].find(
          (p) =>
            p._productid_value === row._productid_value &&
            p._pricelevelid_value === header?._pricelevelid_value &&
            (!row._uomid_value || p._uomid_value === row._uomid_value),
        );
        row.priceperunit =
          (item?.amount as number | undefined) ??
          (this.rows.products!.get(String(row._productid_value))?.price as number | undefined) ??
          0;
      }
      const base = round2(
        new Decimal((row.priceperunit as number | undefined) ?? 0).times(
          (row.quantity as number | undefined) ?? 0,
        ),
      );
      row.baseamount = base.toNumber();
      row.volumediscountamount = 0;
      row.extendedamount = base
        .minus((row.manualdiscountamount as number | undefined) ?? 0)
        .plus((row.tax as number | undefined) ?? 0)
        .toNumber();
    }
  }

  private afterWrite(t: Table, row: Row): void {
    const header =
      t.logical === 'invoicedetail'
        ? (['invoices', row._invoiceid_value] as const)
        : t.logical === 'salesorderdetail'
          ? (['salesorders', row._salesorderid_value] as const)
          : t.logical === 'invoice' || t.logical === 'salesorder'
            ? ([t.set, row[t.pk]] as const)
            : undefined;
    if (!header) return;
    const [set, id] = header;
    const h = this.rows[set]!.get(String(id));
    if (!h) return;
    const coll = Object.values(TABLES[set]!.collections)[0]!;
    const lines = this.childrenOf(coll.set, coll.fk, id);
    const net = lines.reduce(
      (s, l) =>
        s.plus((l.baseamount as number) ?? 0).minus((l.manualdiscountamount as number | undefined) ?? 0),
      new Decimal(0),
    );
    const tax = lines.reduce((s, l) => s.plus((l.tax as number | undefined) ?? 0), new Decimal(0));
    h.totallineitemamount = net.toNumber();
    h.totaltax = tax.toNumber();
    h.totalamount = net
      .minus((h.discountamount as number | undefined) ?? 0)
      .plus((h.freightamount as number | undefined) ?? 0)
      .plus(tax)
      .toNumber();
  }

  /** A row as the Web API answers it: selected columns, expansions, etag and formatted values. */
  project(
    set: string,
    row: Row,
    select: string | undefined,
    expand: string | undefined,
    annotate: boolean,
    base: string,
  ): Row {
    const t = this.table(set);
    const cols = select ? splitTop(select).map((c) => resolveColumn(t, c.trim())) : Object.keys(t.columns);
    const out: Row = { '@odata.etag': etagOf(row) };
    for (const c of new Set([...cols, t.pk])) {
      if (!t.columns[c]) throw unknownProperty(t.logical, c);
      out[c] = row[c] ?? null;
      if (!annotate) continue;
      const options = OPTIONS[`${t.logical}.${c}`];
      if (options && typeof row[c] === 'number') out[`${c}${FORMATTED}`] = options[row[c] as number];
      if (c === 'statuscode' && t.logical === 'salesorder')
        out[`${c}${FORMATTED}`] = ORDER_STATUS.find((o) => o.value === row[c])?.label;
      const lookup = Object.values(t.lookups).find((l) => l.column === c);
      if (lookup && row[c]) {
        const target = this.rows[lookup.target]!.get(String(row[c]));
        const tt = TABLES[lookup.target]!;
        if (target) {
          out[`${c}${FORMATTED}`] = target[tt.primaryName];
          out[`${c}@Microsoft.Dynamics.CRM.lookuplogicalname`] = tt.logical;
        }
      }
    }
    for (const item of expand ? splitTop(expand) : []) {
      const m = /^(\w+)(?:\((.*)\))?$/s.exec(item.trim());
      if (!m) throw syntax(`Syntax error in $expand at '${item}'.`);
      const [, nav, opts] = m;
      const options = Object.fromEntries(
        splitTop(opts ?? '', ';').map((o) => {
          const i = o.indexOf('=');
          return [o.slice(0, i).trim(), o.slice(i + 1).trim()];
        }),
      );
      const lookup = t.lookups[nav!];
      const coll = t.collections[nav!];
      if (lookup) {
        const target = row[lookup.column]
          ? this.rows[lookup.target]!.get(String(row[lookup.column]))
          : undefined;
        out[nav!] = target
          ? this.project(lookup.target, target, options.$select, options.$expand, annotate, base)
          : null;
      } else if (coll) {
        let children = this.childrenOf(coll.set, coll.fk, row[t.pk]);
        if (options.$filter) children = children.filter(parseFilter(options.$filter, TABLES[coll.set]!));
        out[nav!] = children.map((c) =>
          this.project(coll.set, c, options.$select, options.$expand, annotate, base),
        );
      } else throw unknownProperty(t.logical, nav!);
    }
    return out;
  }
}

export const etagOf = (row: Row): string => `W/"${row.versionnumber}"`;
