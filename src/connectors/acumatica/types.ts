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
  Email?: Wrapped<string>;
  MainContact?: RawContact;
  BillingContact?: RawContact;
  ShippingContact?: RawContact;
  LastModifiedDateTime?: Wrapped<string>;
}

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
