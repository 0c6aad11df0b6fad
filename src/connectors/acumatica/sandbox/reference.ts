/**
 * The setup screens of the sandbox tenant: what documents may refer to. Codes follow a fresh
 * Acumatica company with the sales modules configured (order types, ship vias, payment methods,
 * currencies, taxes); freight amounts and rates are the sandbox's own.
 */

export interface OrderTypeSetup {
  description: string;
  /** Prefix of the type's numbering sequence: SO000001, QT000001… */
  prefix: string;
  /** Whether orders of the type ship (quotes do not). */
  ships: boolean;
}

export const ORDER_TYPES: Readonly<Record<string, OrderTypeSetup>> = {
  SO: { description: 'Sales Order', prefix: 'SO', ships: true },
  QT: { description: 'Quote', prefix: 'QT', ships: false },
};

export interface ShipViaSetup {
  description: string;
  /** Freight the order charges when it is not overridden. */
  freight: string;
  commonCarrier: boolean;
}

export const SHIP_VIAS: Readonly<Record<string, ShipViaSetup>> = {
  FLATRATE: { description: 'Flat Rate', freight: '10.00', commonCarrier: false },
  UPSGROUND: { description: 'UPS Ground', freight: '15.00', commonCarrier: true },
  FEDEX2DAY: { description: 'FedEx 2Day', freight: '25.00', commonCarrier: true },
  WILLCALL: { description: 'Will Call (customer pick-up)', freight: '0.00', commonCarrier: false },
};

export const PAYMENT_METHODS: Readonly<Record<string, string>> = {
  CHECK: 'Check',
  CASH: 'Cash',
  CCARD: 'Credit Card',
  INVOICE: 'On Invoice',
};

export const CURRENCIES: Readonly<Record<string, string>> = {
  USD: 'US Dollar',
  EUR: 'Euro',
  CAD: 'Canadian Dollar',
  GBP: 'Pound Sterling',
};

export interface TaxSetup {
  description: string;
  type: 'Sales' | 'VAT';
  /** Percent, as a decimal string. */
  rate: string;
}

export const TAXES: Readonly<Record<string, TaxSetup>> = {
  NYSTATE: { description: 'New York State Sales Tax', type: 'Sales', rate: '8.875' },
  CASTATE: { description: 'California State Sales Tax', type: 'Sales', rate: '7.25' },
  VAT20: { description: 'VAT standard rate', type: 'VAT', rate: '20' },
  VAT10: { description: 'VAT reduced rate', type: 'VAT', rate: '10' },
  EXEMPT: { description: 'Tax exempt', type: 'Sales', rate: '0' },
};

/** Manual document-level discounts (the Discounts tab of an order). */
export const DISCOUNT_CODES: Readonly<Record<string, string>> = {
  DOCDISC: 'Manual document discount',
};

/** When the tax rates above took effect; the Taxes screen keeps a schedule of revisions. */
export const TAX_START_DATE = '2020-01-01T00:00:00+00:00';
