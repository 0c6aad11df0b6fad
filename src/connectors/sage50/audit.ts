import type { EntityName } from '../../model/index.js';
import { configError } from '../sdk/errors.js';
import { isoOf, marks, type OdbcClient, tsLiteral } from './odbc.js';
import { SPECIAL_CODES } from './settings.js';

/**
 * A flow's place in Sage 50's audit trail: the last AUDIT_HEADER.TRAN_NUMBER it processed, what that
 * transaction looked like (to know the same data file again), and the latest RECORD_MODIFY_DATE of
 * the entity's table it has seen (for records changed with no transaction).
 */
export interface AuditToken {
  tran: number;
  /** TYPE|INV_REF|RECORD_CREATE_DATE of transaction `tran`; empty when the trail was empty. */
  mark: string;
  /** ISO instant; absent for invoices (found through the trail only). */
  modified?: string;
}

const TABLES: Partial<Record<EntityName, { table: string; key: string; where: string }>> = {
  customer: { table: 'SALES_LEDGER', key: 'ACCOUNT_REF', where: '1 = 1' },
  product: {
    table: 'STOCK',
    key: 'STOCK_CODE',
    where: `STOCK_CODE NOT IN (${[...SPECIAL_CODES].map((c) => `'${c}'`).join(', ')})`,
  },
  invoice: { table: 'INVOICE', key: 'INVOICE_NUMBER', where: 'POSTED_CODE = 1 AND RECORD_DELETED = 0' },
};

/** Sales-ledger transaction types on the audit trail (invoice, credit, receipt, on account, discount). */
export const SALES_TYPES = ['SI', 'SC', 'SR', 'SA', 'SD'];
/** The types whose INV_REF is an invoice or credit note number. */
const DOCUMENT_TYPES = ['SI', 'SC'];

export function parseToken(token: string): AuditToken {
  try {
    const t = JSON.parse(token) as AuditToken;
    if (typeof t.tran === 'number' && typeof t.mark === 'string') return t;
  } catch {
    // fall through
  }
  throw configError(`the Sage 50 cursor "${token.slice(0, 80)}" is not an audit-trail position`);
}

/**
 * Incremental reading from the audit trail. The cursor is the last TRAN_NUMBER processed (Sage 50's
 * numbers only grow): a batch reads the transactions after it, up to the highest number there was
 * when it started, and takes the accounts (customers), invoices (invoice numbers of SI/SC) and stock
 * codes of those invoices' lines (products) they touch; customers and products changed with no
 * transaction are found by RECORD_MODIFY_DATE after the last one seen. Gaps in the numbers are
 * harmless (everything above the cursor is read). A data file whose highest number is below the
 * cursor, or whose transaction at the cursor is another one, is an older file restored: the batch
 * stops with that reason and the cursor stays, rather than skipping work or re-sending history.
 */
export async function changedSince(
  db: OdbcClient,
  entity: EntityName,
  token: string | undefined,
): Promise<{ ids: string[]; token: string } | undefined> {
  const t = TABLES[entity];
  if (!t) return undefined;
  // Cleared transactions keep their numbers in AUDIT_HISTORY_HEADER: the trail's end is the higher.
  const top = Math.max(await highest(db, 'AUDIT_HEADER'), await highest(db, 'AUDIT_HISTORY_HEADER'));
  const modifiedNow =
    entity === 'invoice'
      ? undefined
      : isoOf(
          (await db.query(`SELECT CAST(MAX(RECORD_MODIFY_DATE) AS VARCHAR(30)) AS m FROM ${t.table}`))[0]?.m,
        );
  const next = async (): Promise<string> => {
    const out: AuditToken = { tran: top, mark: await markOf(db, top) };
    if (modifiedNow) out.modified = modifiedNow;
    return JSON.stringify(out);
  };
  if (token === undefined) {
    const rows = await db.query(`SELECT ${t.key} AS k FROM ${t.table} WHERE ${t.where} ORDER BY ${t.key}`);
    return { ids: rows.map((r) => String(r.k).trim()), token: await next() };
  }
  const prev = parseToken(token);
  if (top < prev.tran)
    throw configError(
      `the Sage 50 audit trail ends at transaction ${top}, before transaction ${prev.tran} this flow already processed: an older data file has been restored. Nothing was read; once the restored data is what the accounts should hold, reset this flow's cursor to run again`,
    );
  if (prev.tran > 0 && (await markOf(db, prev.tran)) !== prev.mark)
    throw configError(
      `transaction ${prev.tran} of the Sage 50 audit trail is not the one this flow processed: another or an older data file has been restored. Nothing was read; reset this flow's cursor once the data is what the accounts should hold`,
    );
  const ids = new Set<string>();
  const txs =
    top > prev.tran
      ? await db.query(
          `SELECT TRAN_NUMBER AS tran, TYPE AS type, ACCOUNT_REF AS account_ref, INV_REF AS inv_ref
           FROM AUDIT_HEADER WHERE TRAN_NUMBER > ? AND TRAN_NUMBER <= ? ORDER BY TRAN_NUMBER`,
          [prev.tran, top],
        )
      : [];
  const sales = txs.filter((x) => SALES_TYPES.includes(String(x.type).trim()));
  const documents = [
    ...new Set(
      sales
        .filter((x) => DOCUMENT_TYPES.includes(String(x.type).trim()))
        .map((x) => String(x.inv_ref ?? '').trim())
        .filter((r) => /^\d+$/.test(r)),
    ),
  ];
  if (entity === 'customer') for (const x of sales) ids.add(String(x.account_ref).trim());
  if (entity === 'invoice') for (const d of documents) ids.add(String(Number(d)));
  if (entity === 'product' && documents.length) {
    const rows = await db.query(
      `SELECT DISTINCT STOCK_CODE AS k FROM INVOICE_ITEM WHERE INVOICE_NUMBER IN (${marks(documents.length)})`,
      documents.map(Number),
    );
    for (const r of rows) {
      const code = String(r.k ?? '').trim();
      if (code && !SPECIAL_CODES.has(code)) ids.add(code);
    }
  }
  if (entity !== 'invoice' && modifiedNow && prev.modified && modifiedNow > prev.modified) {
    const rows = await db.query(
      `SELECT ${t.key} AS k FROM ${t.table} WHERE ${t.where} AND RECORD_MODIFY_DATE > ${tsLiteral(prev.modified)} AND RECORD_MODIFY_DATE <= ${tsLiteral(modifiedNow)}`,
    );
    for (const r of rows) ids.add(String(r.k).trim());
  }
  return { ids: [...ids].sort(), token: await next() };
}

async function highest(db: OdbcClient, table: string): Promise<number> {
  const rows = await db.query(`SELECT MAX(TRAN_NUMBER) AS top FROM ${table}`);
  return Number(rows[0]?.top ?? 0) || 0;
}

/**
 * What identifies transaction `tran` in this data file (not its amounts or flags, which corrections
 * change), from the audit trail or, once cleared, its history.
 */
async function markOf(db: OdbcClient, tran: number): Promise<string> {
  if (tran <= 0) return '';
  for (const table of ['AUDIT_HEADER', 'AUDIT_HISTORY_HEADER']) {
    const rows = await db.query(
      `SELECT TYPE AS type, INV_REF AS inv_ref, CAST(RECORD_CREATE_DATE AS VARCHAR(30)) AS created
       FROM ${table} WHERE TRAN_NUMBER = ?`,
      [tran],
    );
    const r = rows[0];
    if (r) return [r.type, r.inv_ref, r.created].map((v) => String(v ?? '').trim()).join('|');
  }
  return 'missing';
}
