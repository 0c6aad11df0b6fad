import type { RawSalesOrder, RawSalesOrderLine, RawTaxDetail } from '../types.js';
import { str } from '../types.js';
import { releaseInvoice } from './invoices.js';
import { saveOrder } from './orders.js';
import { releasePayment, savePayment } from './payments.js';
import { prepareInvoice } from './prepare-invoice.js';
import { confirmShipment, type ShipOptions, shipOrder } from './shipments.js';
import type { SalesStore } from './store.js';
import { dec, toNumber } from './totals.js';

type Num = number | string;
const v = <T>(value: T) => ({ value });
const n = (x: Num) => toNumber(dec(x));

export interface SalesOrderInput {
  customerId: string;
  orderType?: string;
  lines: ReadonlyArray<{
    inventoryId: string;
    qty: Num;
    /** The item's default price when omitted. */
    unitPrice?: Num;
    discount?: Num;
    warehouse?: string;
    uom?: string;
  }>;
  currency?: string;
  shipVia?: string;
  paymentMethod?: string;
  /** Taxes Acumatica computes at their rates on the order (automatic tax calculation). */
  taxIds?: readonly string[];
  /** Freight that overrides the ship via's own. */
  freight?: Num;
  /** A manual document-level discount (discount code DOCDISC). */
  documentDiscount?: Num;
  hold?: boolean;
  externalRef?: string;
  customerOrder?: string;
  /** The order date, e.g. "2026-03-01T00:00:00+00:00"; today when omitted. */
  date?: string;
  description?: string;
}

export interface PaymentInput {
  customerId: string;
  amount: Num;
  /** Applies the amount to this order (its unpaid balance at most); the payment takes the order's currency... */
  orderNbr?: string;
  /** ...or to this released invoice. */
  invoiceNbr?: string;
  method?: string;
  ref?: string;
  currency?: string;
}

/**
 * What a person does on Acumatica's screens, for tests and the demo. Each is a thin wrapper over the
 * same functions the REST routes call, so it validates, numbers, stamps and pushes the same way;
 * a refusal throws with Acumatica's messages.
 */
export function salesHelpers(store: SalesStore) {
  const orderOf = (nbr: string): RawSalesOrder => {
    const o = store.orders.get(nbr);
    if (!o) throw new Error(`the sandbox has no sales order ${nbr}`);
    return o;
  };
  return {
    createSalesOrder(input: SalesOrderInput): string {
      const body: RawSalesOrder = {
        OrderType: v(input.orderType ?? 'SO'),
        CustomerID: v(input.customerId),
        Hold: v(input.hold === true),
        Details: input.lines.map((l) => {
          const line: RawSalesOrderLine = { InventoryID: v(l.inventoryId), OrderQty: v(n(l.qty)) };
          if (l.unitPrice !== undefined) line.UnitPrice = v(n(l.unitPrice));
          if (l.discount !== undefined) line.DiscountAmount = v(n(l.discount));
          if (l.warehouse) line.WarehouseID = v(l.warehouse);
          if (l.uom) line.UOM = v(l.uom);
          return line;
        }),
        TaxDetails: (input.taxIds ?? []).map((id): RawTaxDetail => ({ TaxID: v(id) })),
      };
      if (input.currency) body.CurrencyID = v(input.currency);
      if (input.shipVia) body.ShipVia = v(input.shipVia);
      if (input.paymentMethod) body.PaymentMethod = v(input.paymentMethod);
      if (input.freight !== undefined)
        body.Totals = { Freight: v(n(input.freight)), OverrideFreightAmount: v(true) };
      if (input.documentDiscount !== undefined)
        body.DiscountDetails = [
          {
            Type: v('Document'),
            DiscountCode: v('DOCDISC'),
            DiscountAmount: v(n(input.documentDiscount)),
            ManualDiscount: v(true),
          },
        ];
      if (input.externalRef) body.ExternalRef = v(input.externalRef);
      if (input.customerOrder) body.CustomerOrder = v(input.customerOrder);
      if (input.date) body.Date = v(input.date);
      if (input.description) body.Description = v(input.description);
      return str(saveOrder(store, body).OrderNbr)!;
    },
    createShipment(orderNbr: string, o: ShipOptions = {}): string {
      const order = orderOf(orderNbr);
      return str(shipOrder(store, str(order.OrderType)!, orderNbr, o).ShipmentNbr)!;
    },
    confirmShipment(nbr: string): void {
      confirmShipment(store, nbr);
    },
    prepareInvoice(shipmentNbr: string): string {
      return str(prepareInvoice(store, shipmentNbr).ReferenceNbr)!;
    },
    releaseInvoice(ref: string): void {
      releaseInvoice(store, ref);
    },
    createPayment(input: PaymentInput): string {
      const order = input.orderNbr ? orderOf(input.orderNbr) : undefined;
      const currency = input.currency ?? str(order?.CurrencyID);
      const body = {
        Type: v('Payment'),
        CustomerID: v(input.customerId),
        PaymentMethod: v(input.method ?? 'CHECK'),
        PaymentAmount: v(n(input.amount)),
        ...(input.ref ? { PaymentRef: v(input.ref) } : {}),
        ...(currency ? { CurrencyID: v(currency) } : {}),
        ...(order
          ? { OrdersToApply: [{ OrderType: v(str(order.OrderType)!), OrderNbr: v(str(order.OrderNbr)!) }] }
          : {}),
        ...(input.invoiceNbr
          ? { DocumentsToApply: [{ DocType: v('Invoice'), ReferenceNbr: v(input.invoiceNbr) }] }
          : {}),
      };
      return str(savePayment(store, body).ReferenceNbr)!;
    },
    releasePayment(ref: string): void {
      releasePayment(store, ref);
    },
  };
}

export type SalesHelpers = ReturnType<typeof salesHelpers>;
