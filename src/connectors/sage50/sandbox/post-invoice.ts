import { asText, type OdbcClient } from '../odbc.js';
import { addAuditTransaction } from './seed.js';

/**
 * Sage 50's "Update Ledgers" for one invoice of the hosted file: the invoice made from a CRM order
 * waits in Invoicing (POSTED_CODE 0) until someone in Sage posts it; posting marks it POSTED_CODE 1
 * and puts an SI transaction on the audit trail, one split per item, with the invoice's own figures
 * (Sage does not recompute them when posting). The connector reads it from then on. Tests use this
 * to bring an uploaded order back to the CRM as the accounts' invoice.
 */
export async function postInvoice(
  db: OdbcClient,
  invoiceNumber: number,
  at: { tran: number; firstSplit: number },
): Promise<void> {
  const [head] = await db.query(
    `SELECT ACCOUNT_REF AS account, CAST(INVOICE_DATE AS VARCHAR(30)) AS date,
     ${asText('INVOICE_NET', 'net')}, ${asText('INVOICE_TAX', 'tax')}, ${asText('INVOICE_GROSS', 'gross')}
     FROM INVOICE WHERE INVOICE_NUMBER = ?`,
    [invoiceNumber],
  );
  if (!head) throw new Error(`invoice ${invoiceNumber} is not in the hosted file`);
  const items = await db.query(
    `SELECT DESCRIPTION AS details, ${asText('NET_AMOUNT', 'net')}, ${asText('TAX_AMOUNT', 'tax')},
     ${asText('GROSS_AMOUNT', 'gross')} FROM INVOICE_ITEM WHERE INVOICE_NUMBER = ? ORDER BY ITEM_NUMBER`,
    [invoiceNumber],
  );
  await db.query('UPDATE INVOICE SET POSTED_CODE = 1 WHERE INVOICE_NUMBER = ?', [invoiceNumber]);
  await addAuditTransaction(db, {
    tran: at.tran,
    type: 'SI',
    account: String(head.account).trim(),
    invRef: String(invoiceNumber),
    date: String(head.date).slice(0, 10),
    net: String(head.net),
    tax: String(head.tax),
    gross: String(head.gross),
    splits: items.map((i, n) => ({
      tran: at.firstSplit + n,
      net: String(i.net),
      tax: String(i.tax),
      gross: String(i.gross),
      details: String(i.details ?? ''),
    })),
  });
}
