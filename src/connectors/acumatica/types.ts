/**
 * Raw contract-based REST shapes. Every field travels wrapped: `{ "value": … }`. Only the fields
 * Ledgerlink reads or writes are typed; the API returns many more.
 */
export interface Wrapped<T> {
  value?: T | null;
  error?: string;
}

export interface RawEntity {
  id?: string;
  rowNumber?: number;
  note?: Wrapped<string>;
  custom?: Record<string, unknown>;
  error?: string;
  [field: string]: unknown;
}

export interface RawAddress extends RawEntity {
  AddressLine1?: Wrapped<string>;
  AddressLine2?: Wrapped<string>;
  City?: Wrapped<string>;
  State?: Wrapped<string>;
  PostalCode?: Wrapped<string>;
  Country?: Wrapped<string>;
}

export interface RawContact extends RawEntity {
  FirstName?: Wrapped<string>;
  LastName?: Wrapped<string>;
  DisplayName?: Wrapped<string>;
  Email?: Wrapped<string>;
  Phone1?: Wrapped<string>;
  Address?: RawAddress;
}

export interface RawCustomer extends RawEntity {
  CustomerID?: Wrapped<string>;
  CustomerName?: Wrapped<string>;
  CustomerClass?: Wrapped<string>;
  Status?: Wrapped<string>;
  CurrencyID?: Wrapped<string>;
  CreditLimit?: Wrapped<number>;
  /** Payment terms code (spec Customer.Terms, StringValue). */
  Terms?: Wrapped<string>;
  Email?: Wrapped<string>;
  MainContact?: RawContact;
  BillingContact?: RawContact;
  ShippingContact?: RawContact;
  LastModifiedDateTime?: Wrapped<string>;
  /** $expand=Contacts,Contacts/Contact: the customer's other contacts (spec CustomerContact). */
  Contacts?: Array<RawEntity & { ContactID?: Wrapped<number>; Contact?: RawContact }>;
  /** $expand=Attributes: the customer's attribute values (spec AttributeValue). */
  Attributes?: RawAttribute[];
}

/** An attribute's value on a record (spec AttributeValue). */
export interface RawAttribute extends RawEntity {
  AttributeID?: Wrapped<string>;
  Value?: Wrapped<string>;
  ValueDescription?: Wrapped<string>;
}

/** $custom's answer: view → field → {type, value} (a custom field's value keeps its own JSON type). */
export type RawCustom = Record<string, Record<string, { type?: string; value?: unknown }>>;

export interface RawWarehouseDetail extends RawEntity {
  WarehouseID?: Wrapped<string>;
  QtyOnHand?: Wrapped<number>;
}

export interface RawStockItem extends RawEntity {
  InventoryID?: Wrapped<string>;
  Description?: Wrapped<string>;
  ItemClass?: Wrapped<string>;
  ItemStatus?: Wrapped<string>;
  DefaultPrice?: Wrapped<number>;
  CurrentStdCost?: Wrapped<number>;
  PendingStdCost?: Wrapped<number>;
  AverageCost?: Wrapped<number>;
  LastCost?: Wrapped<number>;
  ValuationMethod?: Wrapped<string>;
  BaseUOM?: Wrapped<string>;
  DimensionWeight?: Wrapped<number>;
  WeightUOM?: Wrapped<string>;
  WarehouseDetails?: RawWarehouseDetail[];
  LastModified?: Wrapped<string>;
  LastModifiedDateTime?: Wrapped<string>;
}

/** The contact block of a sales document (bill-to, ship-to): a person's name travels as Attention. */
export interface RawDocContact extends RawEntity {
  Attention?: Wrapped<string>;
  BusinessName?: Wrapped<string>;
  Email?: Wrapped<string>;
  Phone1?: Wrapped<string>;
}

export interface RawSalesOrderLine extends RawEntity {
  LineNbr?: Wrapped<number>;
  InventoryID?: Wrapped<string>;
  LineDescription?: Wrapped<string>;
  OrderQty?: Wrapped<number>;
  OpenQty?: Wrapped<number>;
  QtyOnShipments?: Wrapped<number>;
  UOM?: Wrapped<string>;
  UnitPrice?: Wrapped<number>;
  ManualPrice?: Wrapped<boolean>;
  DiscountAmount?: Wrapped<number>;
  DiscountPercent?: Wrapped<number>;
  ManualDiscount?: Wrapped<boolean>;
  ExtendedPrice?: Wrapped<number>;
  Amount?: Wrapped<number>;
  WarehouseID?: Wrapped<string>;
  Completed?: Wrapped<boolean>;
}

/** A tax of an order: the order's tax tab, one row per tax. */
export interface RawTaxDetail extends RawEntity {
  TaxID?: Wrapped<string>;
  TaxRate?: Wrapped<number>;
  TaxableAmount?: Wrapped<number>;
  TaxAmount?: Wrapped<number>;
}

export interface RawOrderTotals extends RawEntity {
  LineTotalAmount?: Wrapped<number>;
  DiscountTotal?: Wrapped<number>;
  Freight?: Wrapped<number>;
  OverrideFreightAmount?: Wrapped<boolean>;
  TaxTotal?: Wrapped<number>;
  UnpaidBalance?: Wrapped<number>;
  UnbilledAmount?: Wrapped<number>;
  UnbilledQty?: Wrapped<number>;
}

/** A document-level discount of an order (the Discounts tab). */
export interface RawDiscountDetail extends RawEntity {
  Type?: Wrapped<string>;
  DiscountCode?: Wrapped<string>;
  DiscountAmount?: Wrapped<number>;
  ManualDiscount?: Wrapped<boolean>;
  Description?: Wrapped<string>;
}

/** A payment applied to an order, as the order's Payments tab shows it. */
export interface RawOrderPayment extends RawEntity {
  DocType?: Wrapped<string>;
  ReferenceNbr?: Wrapped<string>;
  AppliedToOrder?: Wrapped<number>;
  PaymentAmount?: Wrapped<number>;
  PaymentRef?: Wrapped<string>;
  Status?: Wrapped<string>;
}

/** A shipment of an order, as the order's Shipments tab shows it. */
export interface RawOrderShipment extends RawEntity {
  ShipmentNbr?: Wrapped<string>;
  ShipmentType?: Wrapped<string>;
  Status?: Wrapped<string>;
  ShipmentDate?: Wrapped<string>;
  ShippedQty?: Wrapped<number>;
  InvoiceType?: Wrapped<string>;
  InvoiceNbr?: Wrapped<string>;
}

export interface RawSalesOrder extends RawEntity {
  OrderType?: Wrapped<string>;
  OrderNbr?: Wrapped<string>;
  Status?: Wrapped<string>;
  Hold?: Wrapped<boolean>;
  Date?: Wrapped<string>;
  CustomerID?: Wrapped<string>;
  CustomerOrder?: Wrapped<string>;
  ExternalRef?: Wrapped<string>;
  Description?: Wrapped<string>;
  CurrencyID?: Wrapped<string>;
  ShipVia?: Wrapped<string>;
  PaymentMethod?: Wrapped<string>;
  PaymentRef?: Wrapped<string>;
  DisableAutomaticTaxCalculation?: Wrapped<boolean>;
  BillToAddressOverride?: Wrapped<boolean>;
  BillToAddress?: RawAddress;
  BillToContactOverride?: Wrapped<boolean>;
  BillToContact?: RawDocContact;
  ShipToAddressOverride?: Wrapped<boolean>;
  ShipToAddress?: RawAddress;
  ShipToContactOverride?: Wrapped<boolean>;
  ShipToContact?: RawDocContact;
  Details?: RawSalesOrderLine[];
  TaxDetails?: RawTaxDetail[];
  DiscountDetails?: RawDiscountDetail[];
  Totals?: RawOrderTotals;
  Payments?: RawOrderPayment[];
  Shipments?: RawOrderShipment[];
  OrderedQty?: Wrapped<number>;
  TaxTotal?: Wrapped<number>;
  OrderTotal?: Wrapped<number>;
  CreatedDate?: Wrapped<string>;
  LastModified?: Wrapped<string>;
}

export interface RawShipmentLine extends RawEntity {
  LineNbr?: Wrapped<number>;
  OrderType?: Wrapped<string>;
  OrderNbr?: Wrapped<string>;
  OrderLineNbr?: Wrapped<number>;
  InventoryID?: Wrapped<string>;
  Description?: Wrapped<string>;
  ShippedQty?: Wrapped<number>;
  OrderedQty?: Wrapped<number>;
  OpenQty?: Wrapped<number>;
  UOM?: Wrapped<string>;
  WarehouseID?: Wrapped<string>;
}

export interface RawPackage extends RawEntity {
  LineNbr?: Wrapped<number>;
  BoxID?: Wrapped<string>;
  TrackingNbr?: Wrapped<string>;
  Weight?: Wrapped<number>;
  Confirmed?: Wrapped<boolean>;
}

/** An order a shipment ships, as the shipment's Orders tab shows it. */
export interface RawShipmentOrder extends RawEntity {
  OrderType?: Wrapped<string>;
  OrderNbr?: Wrapped<string>;
  ShipmentNbr?: Wrapped<string>;
  ShipmentType?: Wrapped<string>;
  ShippedQty?: Wrapped<number>;
  InvoiceType?: Wrapped<string>;
  InvoiceNbr?: Wrapped<string>;
}

export interface RawShipment extends RawEntity {
  ShipmentNbr?: Wrapped<string>;
  Type?: Wrapped<string>;
  Status?: Wrapped<string>;
  Hold?: Wrapped<boolean>;
  CustomerID?: Wrapped<string>;
  ShipmentDate?: Wrapped<string>;
  ShipVia?: Wrapped<string>;
  WarehouseID?: Wrapped<string>;
  Description?: Wrapped<string>;
  Operation?: Wrapped<string>;
  ShippedQty?: Wrapped<number>;
  PackageCount?: Wrapped<number>;
  Details?: RawShipmentLine[];
  Packages?: RawPackage[];
  Orders?: RawShipmentOrder[];
  LastModifiedDateTime?: Wrapped<string>;
}

export interface RawInvoiceLine extends RawEntity {
  LineNbr?: Wrapped<number>;
  InventoryID?: Wrapped<string>;
  TransactionDescr?: Wrapped<string>;
  Qty?: Wrapped<number>;
  UOM?: Wrapped<string>;
  UnitPrice?: Wrapped<number>;
  DiscountAmount?: Wrapped<number>;
  Amount?: Wrapped<number>;
  TaxCategory?: Wrapped<string>;
  WarehouseID?: Wrapped<string>;
  OrderType?: Wrapped<string>;
  OrderNbr?: Wrapped<string>;
  OrderLineNbr?: Wrapped<number>;
  ShipmentNbr?: Wrapped<string>;
}

/** A tax of an invoice; unlike an order's, it carries no rate (the Tax record holds it). */
export interface RawInvoiceTaxDetail extends RawEntity {
  TaxID?: Wrapped<string>;
  TaxableAmount?: Wrapped<number>;
  TaxAmount?: Wrapped<number>;
}

export interface RawSalesInvoice extends RawEntity {
  Type?: Wrapped<string>;
  ReferenceNbr?: Wrapped<string>;
  Status?: Wrapped<string>;
  Hold?: Wrapped<boolean>;
  Date?: Wrapped<string>;
  DueDate?: Wrapped<string>;
  CustomerID?: Wrapped<string>;
  CustomerOrder?: Wrapped<string>;
  Currency?: Wrapped<string>;
  Description?: Wrapped<string>;
  Details?: RawInvoiceLine[];
  TaxDetails?: RawInvoiceTaxDetail[];
  DetailTotal?: Wrapped<number>;
  DiscountTotal?: Wrapped<number>;
  FreightPrice?: Wrapped<number>;
  TaxTotal?: Wrapped<number>;
  Amount?: Wrapped<number>;
  Balance?: Wrapped<number>;
  PaymentTotal?: Wrapped<number>;
  CreatedDate?: Wrapped<string>;
  LastModifiedDate?: Wrapped<string>;
  LastModifiedDateTime?: Wrapped<string>;
}

/** An order a payment is applied to (the payment's Orders to Apply tab). */
export interface RawOrderApplication extends RawEntity {
  OrderType?: Wrapped<string>;
  OrderNbr?: Wrapped<string>;
  AppliedToOrder?: Wrapped<number>;
}

/** A document a payment is applied to (the payment's Documents to Apply tab). */
export interface RawDocumentApplication extends RawEntity {
  DocType?: Wrapped<string>;
  ReferenceNbr?: Wrapped<string>;
  AmountPaid?: Wrapped<number>;
}

export interface RawPayment extends RawEntity {
  Type?: Wrapped<string>;
  ReferenceNbr?: Wrapped<string>;
  Status?: Wrapped<string>;
  Hold?: Wrapped<boolean>;
  CustomerID?: Wrapped<string>;
  PaymentMethod?: Wrapped<string>;
  PaymentAmount?: Wrapped<number>;
  PaymentRef?: Wrapped<string>;
  CurrencyID?: Wrapped<string>;
  ApplicationDate?: Wrapped<string>;
  Description?: Wrapped<string>;
  AppliedToOrders?: Wrapped<number>;
  AppliedToDocuments?: Wrapped<number>;
  AvailableBalance?: Wrapped<number>;
  OrdersToApply?: RawOrderApplication[];
  DocumentsToApply?: RawDocumentApplication[];
  LastModifiedDateTime?: Wrapped<string>;
}

/** A tax and its rate history (the Taxes screen). */
export interface RawTax extends RawEntity {
  TaxID?: Wrapped<string>;
  Description?: Wrapped<string>;
  TaxType?: Wrapped<string>;
  TaxSchedule?: Array<
    RawEntity & { TaxID?: Wrapped<string>; StartDate?: Wrapped<string>; TaxRate?: Wrapped<number> }
  >;
  LastModifiedDateTime?: Wrapped<string>;
}

/** A ship via code (the Ship Via screen keys it as CarrierID) and how freight is charged. */
export interface RawShipVia extends RawEntity {
  CarrierID?: Wrapped<string>;
  Description?: Wrapped<string>;
  CalculationMethod?: Wrapped<string>;
  CommonCarrier?: Wrapped<boolean>;
}

/** The HttpError body of a failed request. */
export interface RawHttpError {
  message?: string;
  exceptionMessage?: string | null;
  exceptionType?: string | null;
  modelState?: Record<string, string[]>;
}

export const val = <T>(w: Wrapped<T> | undefined): T | undefined =>
  w?.value === null ? undefined : w?.value;

/** A trimmed, non-empty string value, or undefined. */
export function str(w: Wrapped<string> | undefined): string | undefined {
  const v = val(w);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

export const wrap = <T>(value: T): Wrapped<T> => ({ value });

/** Every `error` an entity carries (Acumatica reports validation problems on the fields themselves). */
export function fieldErrors(entity: unknown, path = ''): string[] {
  if (!entity || typeof entity !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(entity as Record<string, unknown>)) {
    if (k === 'error' && typeof v === 'string' && v) out.push(path ? `${path}: ${v}` : v);
    else if (v && typeof v === 'object') out.push(...fieldErrors(v, path ? `${path}.${k}` : k));
  }
  return out;
}
