/**
 * Raw Vendure Admin API shapes: the fields Ledgerlink selects (the schema has more). Amounts are
 * Vendure's Money scalar, an integer in the currency's minor units; times are ISO-8601 in UTC.
 */

/** An ErrorResult member of a mutation's union answer (ManualPaymentStateError, …). */
export interface VendureErrorResult {
  __typename?: string;
  errorCode: string;
  message: string;
  /** Extra words some results carry (the state machine's reason, a handler's message). */
  transitionError?: string;
  fulfillmentHandlerError?: string;
  productVariantName?: string;
  stockOnHand?: number;
}

export interface VendureList<T> {
  items: T[];
  totalItems: number;
}

export interface VendureCountry {
  code: string;
  name?: string;
}

export interface VendureAddress {
  id: string;
  fullName?: string | null;
  company?: string | null;
  streetLine1: string;
  streetLine2?: string | null;
  city?: string | null;
  province?: string | null;
  postalCode?: string | null;
  country: VendureCountry;
  phoneNumber?: string | null;
  defaultShippingAddress?: boolean | null;
  defaultBillingAddress?: boolean | null;
}

export interface VendureCustomer {
  id: string;
  updatedAt: string;
  title?: string | null;
  firstName: string;
  lastName: string;
  phoneNumber?: string | null;
  emailAddress: string;
  addresses?: VendureAddress[] | null;
  customFields?: { erpCustomerNumber?: string | null } | null;
}

export interface VendureStockLevel {
  stockOnHand: number;
  stockAllocated: number;
  stockLocation: { id: string; name: string };
}

export interface VendureVariant {
  id: string;
  updatedAt: string;
  sku: string;
  name: string;
  enabled: boolean;
  price: number;
  currencyCode: string;
  stockOnHand: number;
  stockLevels: VendureStockLevel[];
  product: { id: string; name: string; description: string; enabled: boolean };
}

export interface VendureOrderAddress {
  fullName?: string | null;
  company?: string | null;
  streetLine1?: string | null;
  streetLine2?: string | null;
  city?: string | null;
  province?: string | null;
  postalCode?: string | null;
  countryCode?: string | null;
  phoneNumber?: string | null;
}

export interface VendureOrderLine {
  id: string;
  quantity: number;
  unitPrice: number;
  linePrice: number;
  proratedLinePrice: number;
  proratedLinePriceWithTax: number;
  taxRate: number;
  productVariant: { id: string; sku: string; name: string };
}

export interface VendureRefund {
  total: number;
  state: string;
}

export interface VendurePayment {
  id: string;
  method: string;
  amount: number;
  state: string;
  transactionId?: string | null;
  refunds: VendureRefund[];
}

export interface VendureFulfillment {
  id: string;
  state: string;
  method: string;
  trackingCode?: string | null;
  lines: Array<{ orderLineId: string; quantity: number }>;
}

export interface VendureOrder {
  id: string;
  code: string;
  state: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  orderPlacedAt?: string | null;
  currencyCode: string;
  customer?: { id: string; emailAddress: string; firstName: string; lastName: string } | null;
  shippingAddress?: VendureOrderAddress | null;
  billingAddress?: VendureOrderAddress | null;
  lines: VendureOrderLine[];
  shippingLines: Array<{ shippingMethod: { code: string; name: string } }>;
  shipping: number;
  shippingWithTax: number;
  total: number;
  totalWithTax: number;
  taxSummary: Array<{ description: string; taxRate: number; taxBase: number; taxTotal: number }>;
  payments?: VendurePayment[] | null;
  fulfillments?: VendureFulfillment[] | null;
  customFields?: { erpNumber?: string | null } | null;
}

/** What a sync needs to know about the shop once: the channel's currency and the server's rules. */
export interface ShopFacts {
  channel: {
    code: string;
    defaultCurrencyCode: string;
    defaultLanguageCode: string;
    pricesIncludeTax: boolean;
  };
  globalSettings: {
    serverConfig: {
      moneyStrategyPrecision: number;
      orderProcess: Array<{ name: string; to: string[] }>;
      entityCustomFields: Array<{ entityName: string; customFields: Array<{ name: string }> }>;
    };
  };
}
