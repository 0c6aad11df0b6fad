/** SellerCloud's shapes as this connector reads and writes them (FACTS.md; ⚠ fields noted there). */

export interface ScAddress {
  FirstName?: string | null;
  LastName?: string | null;
  Business?: string | null;
  StreetLine1?: string | null;
  StreetLine2?: string | null;
  City?: string | null;
  StateName?: string | null;
  PostalCode?: string | null;
  CountryCode?: string | null;
  Phone?: string | null;
}

export interface ScOrderItem {
  ID?: number;
  ProductID: string;
  ProductName?: string | null;
  Qty: number;
  SitePrice?: number;
  LineTotal?: number;
  LineTaxTotal?: number;
  ShipFromWarehouseID?: number | null;
}

export interface ScPackage {
  ID: number;
  TrackingNumber?: string | null;
  CarrierName?: string | null;
  ShippingMethod?: string | null;
}

export interface ScOrder {
  ID: number;
  CustomerID: number;
  Email?: string | null;
  FirstName?: string | null;
  LastName?: string | null;
  OrderSourceOrderID?: string | null;
  /** The sales channel (marketplace) the order came from, an enum (FACTS.md: CHANNELS). */
  Channel?: number | null;
  TimeOfOrder: string;
  CreatedOn: string;
  LastUpdated?: string | null;
  StatusCode: number;
  ShippingStatus?: number;
  ShipDate?: string | null;
  Currency?: string | null;
  SubTotal?: number;
  TaxTotal?: number;
  ShippingTotal?: number;
  GrandTotal?: number;
  ShippingAddress?: ScAddress | null;
  BillingAddress?: ScAddress | null;
  Items: ScOrderItem[];
  Packages?: ScPackage[];
}

export interface ScCustomer {
  UserID: number;
  FirstName?: string | null;
  LastName?: string | null;
  Email?: string | null;
  BusinessName?: string | null;
  IsWholesale?: boolean;
  CreatedOn?: string;
  LastModifiedOn?: string;
}

export interface ScProduct {
  ID: string;
  ProductName?: string | null;
  SitePrice?: number;
  SiteCost?: number | null;
  IsActive?: boolean;
  LastUpdated?: string;
}

export interface ScWarehouseQty {
  ProductID?: string;
  WarehouseID: number;
  AvailableQty?: number;
  PhysicalQty: number;
}

/** Receive Manual Payment's methods (FACTS.md). */
export const PAYMENT_METHODS: Readonly<Record<string, number>> = {
  PayPal: 2,
  Cash: 4,
  GiftCertificate: 5,
  Other: 6,
  Telephone: 7,
  Email: 8,
  PurchaseOrder: 10,
  Wire: 19,
};

/** Order status codes (FACTS.md ⚠). */
export const ORDER_STATUS: Readonly<Record<number, string>> = {
  [-1]: 'Cancelled',
  0: 'ShoppingCart',
  1: 'InProcess',
  2: 'ProblemOrder',
  3: 'Completed',
  200: 'OnHold',
};

/**
 * Channels by their enum value: the three "Create New Sales Order" names (Local_Store 0, Website 6,
 * Wholesale 21); any other value is shown as its number (FACTS.md ⚠: the full enum is not published).
 */
export const CHANNELS: Readonly<Record<number, string>> = { 0: 'Local Store', 6: 'Website', 21: 'Wholesale' };

/** An order note ("Get Notes": Category General 0, Customer Instructions 1, Customer Service Note 2). */
export interface ScNote {
  EntityID: number;
  Category: number;
  NoteID: number;
  Note: string;
  AuditData?: string;
  CreatedBy?: number;
}
