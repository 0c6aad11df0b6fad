import { Decimal } from 'decimal.js';
import type { SalesOrder, SalesOrderLine } from '../../../model/index.js';
import { LedgerlinkError } from '../../sdk/errors.js';
import type { Row } from '../client.js';
import { decimal, formatted, moneyOf, stamp, text } from './values.js';

export const ORDER_SELECT = [
  'salesorderid',
  'ordernumber',
  'name',
  'statecode',
  'statuscode',
  'billto_contactname',
  'billto_telephone',
  'totalamount',
  'totaltax',
  'totallineitemamount',
  'discountamount',
  'freightamount',
  'datefulfilled',
  'createdon',
  'modifiedon',
  '_customerid_value',
  '_ownerid_value',
  '_transactioncurrencyid_value',
].join(',');

export const ORDER_EXPAND =
  'customerid_account($select=accountid,accountnumber,name),owninguser($select=fullname),transactioncurrencyid($select=isocurrencycode)';

export const LINE_SELECT = [
  'salesorderdetailid',
  '_salesorderid_value',
  '_productid_value',
  '_uomid_value',
  'isproductoverridden',
  'productdescription',
  'description',
  'quantity',
  'priceperunit',
  'baseamount',
  'manualdiscountamount',
  'volumediscountamount',
  'tax',
  'extendedamount',
  'lineitemnumber',
  'sequencenumber',
].join(',');

export const LINE_EXPAND = 'productid($select=productnumber,name),uomid($select=name)';

/** The literal sku of a write-in line (a product typed on the order): the target books it on its default product. */
export const WRITE_IN_SKU = 'WRITE-IN';

export interface OrderStatuses {
  ready: number;
  uploaded: number;
}

const fail = (message: string) =>
  new LedgerlinkError({ code: 'invalid_data', category: 'rejected', message });

/**
 * A sales order as canonical. status is "ready" or "uploaded" for the two status reasons the flows
 * act on, else the status reason's label; lines: quantity × price per unit less discounts is the
 * line total (before tax), as the model defines it.
 */
export function salesOrderFromRow(
  row: Row,
  lines: readonly Row[],
  statuses: OrderStatuses,
  defaultCurrency: string,
): SalesOrder {
  const number = text(row.ordernumber) ?? String(row.salesorderid);
  const account = row.customerid_account as Row | null | undefined;
  if (!account)
    throw fail(
      `order ${number} is not for an account (its customer is ${formatted(row, '_customerid_value') ?? 'missing'}): only orders of accounts go to the accounts`,
    );
  const accountNumber = text(account.accountnumber);
  if (!accountNumber)
    throw fail(
      `order ${number} is for account "${text(account.name) ?? account.accountid}", which has no account number: enter the account's reference in its Account Number (accountnumber) field`,
    );
  const currency =
    text((row.transactioncurrencyid as Row | null | undefined)?.isocurrencycode) ?? defaultCurrency;
  const m = (v: unknown) => moneyOf(v ?? 0, currency)!;
  const sorted = [...lines].sort(
    (a, b) =>
      Number(a.sequencenumber ?? a.lineitemnumber ?? 0) - Number(b.sequencenumber ?? b.lineitemnumber ?? 0),
  );
  const out: SalesOrderLine[] = sorted.map((l, i) => {
    const writeIn = l.isproductoverridden === true;
    const product = l.productid as Row | null | undefined;
    const sku = writeIn ? WRITE_IN_SKU : text(product?.productnumber);
    if (!sku)
      throw fail(`line ${i + 1} of order ${number} names a product without a Product ID (productnumber)`);
    const qty = new Decimal((l.quantity as number | undefined) ?? 0);
    const price = new Decimal((l.priceperunit as number | undefined) ?? 0);
    const discount = new Decimal((l.manualdiscountamount as number | undefined) ?? 0).plus(
      (l.volumediscountamount as number | undefined) ?? 0,
    );
    const base =
      l.baseamount === undefined || l.baseamount === null
        ? qty.times(price)
        : new Decimal(l.baseamount as number);
    const description = writeIn ? text(l.productdescription) : (text(l.description) ?? text(product?.name));
    const unit = text((l.uomid as Row | null | undefined)?.name) ?? formatted(l, '_uomid_value');
    const tax = moneyOf(l.tax, currency);
    return {
      lineNumber: i + 1,
      sku,
      ...(writeIn ? { writeIn: true } : {}),
      ...(description ? { description } : {}),
      quantity: qty.toFixed(),
      // A write-in line has no unit in Dataverse; the accounts take it as one of their default product.
      unit: unit ?? 'Each',
      unitPrice: m(price.toFixed()),
      ...(discount.isZero() ? {} : { discount: m(discount.toFixed()) }),
      ...(tax ? { tax } : {}),
      total: m(base.minus(discount).toFixed()),
    };
  });
  const statuscode = Number(row.statuscode);
  const status =
    statuscode === statuses.ready
      ? 'ready'
      : statuscode === statuses.uploaded
        ? 'uploaded'
        : (formatted(row, 'statuscode') ?? String(row.statuscode));
  const contactName = text(row.billto_contactname);
  const contactPhone = text(row.billto_telephone);
  const owner = row.owninguser as Row | null | undefined;
  const takenBy = text(owner?.fullname) ?? formatted(row, '_ownerid_value');
  const discount = decimal(row.discountamount);
  const freight = decimal(row.freightamount);
  return {
    number,
    status,
    customerNumber: accountNumber,
    guest: false,
    ...(text(account.name) ? { customerName: text(account.name) } : {}),
    ...(contactName ? { contactName } : {}),
    ...(contactPhone ? { contactPhone } : {}),
    ...(takenBy ? { takenBy } : {}),
    orderDate: String(row.createdon ?? row.modifiedon).slice(0, 10),
    currency,
    lines: out,
    ...(discount && !new Decimal(discount).isZero() ? { discountTotal: m(discount) } : {}),
    ...(freight && !new Decimal(freight).isZero() ? { shippingTotal: m(freight) } : {}),
    taxLines: [],
    taxTotal: m(row.totaltax),
    orderTotal: m(row.totalamount),
    lifecycle: row.statecode === 2 ? 'canceled' : 'open',
    updatedAt: stamp(row),
  };
}
