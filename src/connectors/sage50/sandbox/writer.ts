import type { EntityName } from '../../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../../sdk/contract.js';
import {
  cut,
  type InvoicePlan,
  invoicesForOrders,
  MAX,
  onlyOrders,
  PRODUCT_INVOICE,
  writeOrders,
} from '../invoice-plan.js';
import { marks, type OdbcClient } from '../odbc.js';
import type { Sage50Settings } from '../settings.js';
import type { Sage50Writer } from '../write.js';

export { PRODUCT_INVOICE } from '../invoice-plan.js';

/**
 * The hosted schema's writer: a CRM order becomes a product invoice in INVOICE / INVOICE_ITEM as SDO's
 * InvoicePost makes it — the next invoice number, INVOICE_TYPE "Product Invoice", not yet posted to
 * the ledgers (POSTED_CODE 0), the CRM order number in CUST_ORDER_NUMBER, its contact, telephone and
 * owner in CONTACT_NAME, CUST_TEL_NUMBER and TAKEN_BY, the figures of the plan both writers share
 * (invoice-plan.ts), in one transaction.
 */
export class HostedWriter implements Sage50Writer {
  constructor(
    private readonly db: OdbcClient,
    private readonly s: Sage50Settings,
  ) {}

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    onlyOrders(entity);
    return invoicesForOrders(this.db, keys);
  }

  write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    return writeOrders(this.db, this.s, entity, items, (plan) => this.insert(plan));
  }

  /** One planned invoice, in one transaction; returns its number. */
  private insert(p: InvoicePlan): Promise<number> {
    const o = p.order;
    return this.db.transaction(async (q) => {
      const top = await q('SELECT MAX(INVOICE_NUMBER) AS n FROM INVOICE');
      const number = (Number(top[0]?.n ?? 0) || 0) + 1;
      const today = new Date().toISOString();
      const ts = `{ts '${today.slice(0, 19).replace('T', ' ')}'}`;
      await q(
        `INSERT INTO INVOICE (INVOICE_NUMBER, INVOICE_TYPE_CODE, INVOICE_TYPE, INVOICE_OR_CREDIT, INVOICE_DATE,
          ACCOUNT_REF, NAME, ADDRESS_1, ADDRESS_2, ADDRESS_3, ADDRESS_4, ADDRESS_5, CONTACT_NAME, TAKEN_BY,
          CUST_ORDER_NUMBER, CUST_TEL_NUMBER, ITEMS_NET, ITEMS_TAX, ITEMS_GROSS, INVOICE_NET, INVOICE_TAX,
          INVOICE_GROSS, TAX_RATE_1, NET_AMOUNT_1, TAX_AMOUNT_1, GLOBAL_TAX_CODE, POSTED_CODE,
          GLOBAL_DEPT_NUMBER, GLOBAL_DEPT_NAME, RECORD_CREATE_DATE, RECORD_MODIFY_DATE, RECORD_DELETED)
         VALUES (${marks(29)}, ${ts}, ${ts}, 0)`,
        [
          number,
          PRODUCT_INVOICE.code,
          PRODUCT_INVOICE.name,
          'Invoice',
          o.orderDate,
          o.customerNumber,
          p.customer.name,
          ...p.customer.address,
          cut(o.contactName, MAX.contact),
          cut(o.takenBy, MAX.takenBy),
          o.number,
          cut(o.contactPhone, MAX.tel),
          p.net.toFixed(2),
          p.tax,
          p.gross.toFixed(2),
          p.net.toFixed(2),
          p.tax,
          p.gross.toFixed(2),
          this.s.taxRate,
          p.net.toFixed(2),
          p.tax,
          this.s.taxCode,
          0,
          p.department?.number ?? 0,
          p.department?.name ?? '',
        ],
      );
      for (const [i, l] of p.lines.entries())
        await q(
          `INSERT INTO INVOICE_ITEM (INVOICE_NUMBER, ITEM_NUMBER, ITEMID, STOCK_CODE, DESCRIPTION, UNIT_OF_SALE,
            QUANTITY, UNIT_PRICE, DISCOUNT_AMOUNT, NOMINAL_CODE, TAX_CODE, TAX_RATE, NET_AMOUNT, TAX_AMOUNT,
            GROSS_AMOUNT, DEPT_NUMBER, DEPT_NAME, RECORD_CREATE_DATE, RECORD_MODIFY_DATE, RECORD_DELETED)
           VALUES (${marks(17)}, ${ts}, ${ts}, 0)`,
          [
            number,
            i + 1,
            i + 1,
            l.code,
            l.description,
            l.unit,
            l.qty.toFixed(),
            l.price.toFixed(),
            '0',
            l.nominal,
            this.s.taxCode,
            this.s.taxRate,
            l.net.toFixed(2),
            l.tax,
            l.net.plus(l.tax).toFixed(2),
            p.department?.number ?? 0,
            p.department?.name ?? '',
          ],
        );
      return number;
    });
  }
}
