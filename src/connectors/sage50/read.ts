import type { EntityName } from '../../model/index.js';
import type { ReadQuery, SourceItem, TargetRecord } from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import { customerFrom, invoiceFrom, type MapContext, productFrom } from './mappers.js';
import { asText, isoOf, marks, type OdbcClient, type Row, tsLiteral } from './odbc.js';
import { type Sage50Settings, SPECIAL_CODES } from './settings.js';

/** Values per `IN (…)` list. */
export const IN_CHUNK = 50;

const chunks = <T>(values: readonly T[], size = IN_CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
};

const MODIFIED = 'CAST(RECORD_MODIFY_DATE AS VARCHAR(30)) AS modified';

const CUSTOMER_SQL = `SELECT ACCOUNT_REF AS account_ref, NAME AS name, ADDRESS_1 AS address_1,
  ADDRESS_2 AS address_2, ADDRESS_3 AS address_3, ADDRESS_4 AS address_4, ADDRESS_5 AS address_5,
  CONTACT_NAME AS contact_name, TELEPHONE AS telephone, E_MAIL AS e_mail, COUNTRY_CODE AS country_code,
  ${asText('CREDIT_LIMIT', 'credit_limit')}, ${asText('TURNOVER_YTD', 'turnover_ytd')},
  ACCOUNT_ON_HOLD AS account_on_hold, ${MODIFIED} FROM SALES_LEDGER`;

const PRODUCT_SQL = `SELECT STOCK_CODE AS stock_code, DESCRIPTION AS description,
  UNIT_OF_SALE AS unit_of_sale, ${asText('SALES_PRICE', 'sales_price')},
  ${asText('LAST_PURCHASE_PRICE', 'last_purchase_price')}, INACTIVE_FLAG AS inactive_flag, ${MODIFIED}
  FROM STOCK`;

const INVOICE_SQL = `SELECT INVOICE_NUMBER AS invoice_number, INVOICE_TYPE AS invoice_type,
  INVOICE_OR_CREDIT AS invoice_or_credit, CAST(INVOICE_DATE AS VARCHAR(30)) AS invoice_date,
  CAST(PAYMENT_DUE_DATE AS VARCHAR(30)) AS payment_due_date, ACCOUNT_REF AS account_ref, NAME AS name,
  CUST_ORDER_NUMBER AS cust_order_number, ${asText('INVOICE_NET', 'invoice_net')},
  ${asText('INVOICE_TAX', 'invoice_tax')}, ${asText('INVOICE_GROSS', 'invoice_gross')}, ${MODIFIED}
  FROM INVOICE`;

const ITEM_SQL = `SELECT INVOICE_NUMBER AS invoice_number, ITEM_NUMBER AS item_number,
  STOCK_CODE AS stock_code, DESCRIPTION AS description, TEXT AS text, UNIT_OF_SALE AS unit_of_sale,
  ${asText('QUANTITY', 'quantity')}, ${asText('UNIT_PRICE', 'unit_price')}, TAX_CODE AS tax_code,
  ${asText('NET_AMOUNT', 'net_amount')}, ${asText('TAX_AMOUNT', 'tax_amount')} FROM INVOICE_ITEM`;

interface EntitySql {
  select: string;
  key: string;
  /** The column the search box compares with (the `search` filter), and its alias in the select. */
  search: [column: string, alias: string];
  /** Always applied: what counts as a record of the entity. */
  where: string;
}

/** Posted (POSTED_CODE 1), not deleted: an invoice only in Sage's invoicing list is not yet the accounts'. */
const ENTITIES: Partial<Record<EntityName, EntitySql>> = {
  customer: {
    select: CUSTOMER_SQL,
    key: 'ACCOUNT_REF',
    search: ['ACCOUNT_REF', 'account_ref'],
    where: '1 = 1',
  },
  product: {
    select: PRODUCT_SQL,
    key: 'STOCK_CODE',
    search: ['STOCK_CODE', 'stock_code'],
    // Sage's special codes are line kinds, not products (a write-in line in the CRM).
    where: `STOCK_CODE NOT IN (${[...SPECIAL_CODES].map((c) => `'${c}'`).join(', ')})`,
  },
  invoice: {
    select: INVOICE_SQL,
    key: 'INVOICE_NUMBER',
    // Invoices are searched by their customer's account reference, as the SYNC Uploader does.
    search: ['ACCOUNT_REF', 'account_ref'],
    where: 'POSTED_CODE = 1 AND RECORD_DELETED = 0',
  },
};

/**
 * Reads SALES_LEDGER, STOCK and posted INVOICEs (with their INVOICE_ITEMs) through ODBC, by ids, by
 * RECORD_MODIFY_DATE window, or everything, in key order, a page at a time.
 */
export class Reader {
  constructor(
    private readonly db: OdbcClient,
    private readonly s: Sage50Settings,
  ) {}

  private get ctx(): MapContext {
    return { defaultCurrency: this.s.defaultCurrency, homeCountry: this.s.homeCountry };
  }

  async *read(entity: EntityName, q: ReadQuery): AsyncIterable<SourceItem[]> {
    let text: string | undefined;
    for (const [name, values] of Object.entries(q.filters ?? {})) {
      if (name !== 'search')
        throw configError(`Sage 50 has no "${name}" filter for ${entity}; use dates, ids or search`);
      text = values.map((v) => v.trim()).find(Boolean);
    }
    const sql = ENTITIES[entity];
    if (!sql)
      throw configError(`Sage 50 is not read for ${entity}; it reads customers, products and invoices`);
    const size = Math.min(q.pageSize ?? this.s.pageSize, this.s.pageSize);
    // The search box: the reference starts with the text. Sage keeps account references and stock
    // codes in capitals, so the text is compared in capitals; LIKE's wildcards typed (% _) widen the
    // match, so the rows are narrowed again here (no ESCAPE clause: FACTS.md ⚠).
    const prefix = text?.toUpperCase();
    const search = prefix === undefined ? [] : [`${sql.search[0]} LIKE ?`];
    const params = prefix === undefined ? [] : [`${prefix}%`];
    const keep = (rows: Row[]) =>
      prefix === undefined
        ? rows
        : rows.filter((r) =>
            String(r[sql.search[1]] ?? '')
              .trim()
              .toUpperCase()
              .startsWith(prefix),
          );
    const map = (rows: Row[]) => this.map(entity, keep(rows));
    if (q.ids) {
      const ids = entity === 'invoice' ? q.ids.filter((i) => /^\d+$/.test(i)).map(Number) : [...q.ids];
      for (const chunk of chunks<string | number>(ids, Math.min(IN_CHUNK, size))) {
        const rows = await this.db.query(
          `${sql.select} WHERE ${[sql.where, ...search].join(' AND ')} AND ${sql.key} IN (${marks(chunk.length)}) ORDER BY ${sql.key}`,
          [...params, ...chunk],
        );
        if (keep(rows).length) yield await map(rows);
      }
      return;
    }
    const window = [
      q.since ? `RECORD_MODIFY_DATE >= ${tsLiteral(q.since)}` : undefined,
      q.until ? `RECORD_MODIFY_DATE <= ${tsLiteral(q.until)}` : undefined,
    ].filter(Boolean);
    const where = [sql.where, ...search, ...window].join(' AND ');
    for await (const rows of this.db.pages(`${sql.select} WHERE ${where} ORDER BY ${sql.key}`, params, size))
      yield await map(rows);
  }

  /**
   * Which of these account references (customer) or stock codes (product) Sage 50 has, each found as
   * itself (the reference is the record's id). A special code (S1…, M) is not a product.
   */
  async existing(
    entity: 'customer' | 'product',
    keys: readonly string[],
  ): Promise<Map<string, TargetRecord>> {
    const sql = ENTITIES[entity]!;
    const out = new Map<string, TargetRecord>();
    for (const chunk of chunks(keys)) {
      const rows = await this.db.query(
        `SELECT ${sql.key} AS k FROM ${entity === 'customer' ? 'SALES_LEDGER' : 'STOCK'} WHERE ${sql.where} AND ${sql.key} IN (${marks(chunk.length)})`,
        chunk,
      );
      for (const r of rows) {
        const k = String(r.k ?? '').trim();
        if (chunk.includes(k)) out.set(k, { id: k });
      }
    }
    return out;
  }

  private async map(entity: EntityName, rows: Row[]): Promise<SourceItem[]> {
    if (entity === 'customer')
      return rows.map((r) => this.item(String(r.account_ref).trim(), r, () => customerFrom(r, this.ctx)));
    if (entity === 'product')
      return rows.map((r) => this.item(String(r.stock_code).trim(), r, () => productFrom(r, this.ctx)));
    const items = new Map<number, Row[]>();
    for (const nums of chunks(rows.map((r) => Number(r.invoice_number)))) {
      const found = await this.db.query(
        `${ITEM_SQL} WHERE RECORD_DELETED = 0 AND INVOICE_NUMBER IN (${marks(nums.length)}) ORDER BY INVOICE_NUMBER, ITEM_NUMBER`,
        nums,
      );
      for (const i of found) {
        const n = Number(i.invoice_number);
        items.set(n, [...(items.get(n) ?? []), i]);
      }
    }
    return rows.map((r) =>
      this.item(String(r.invoice_number), r, () =>
        invoiceFrom(r, items.get(Number(r.invoice_number)) ?? [], this.ctx),
      ),
    );
  }

  private item(id: string, r: Row, map: () => unknown): SourceItem {
    const updatedAt = isoOf(r.modified);
    try {
      return { id, updatedAt, data: map() };
    } catch (e) {
      return { id, updatedAt, error: toErrorData(e) };
    }
  }
}
