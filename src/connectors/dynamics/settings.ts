import { configError } from '../sdk/errors.js';

/** A connection's settings, as the manifest's fields validate them (the SYNC Uploader's keys in brackets). */
export interface DynamicsSettings {
  /** The environment (organization) URL, e.g. https://contoso.crm11.dynamics.com. */
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Entra ID authority; default https://login.microsoftonline.com/<tenantId>. */
  authority?: string;
  /** [crm.customertypecode] The relationship type (customertypecode) of customer accounts. */
  customerTypeCode: number;
  /** [product.defaultschedule] The unit group (uomschedule) new products are sold in. */
  unitGroup: string;
  /** [product.defaultunits] The unit of that group new products default to. */
  defaultUnit: string;
  /** [product.pricelevel] The one price list products are priced on and invoices use. */
  priceList: string;
  /** [product.quantitydecimal] Decimals supported on new products. */
  quantityDecimal: number;
  /** [product.producttypecode] Product type of new products. */
  productTypeCode: number;
  /** [product.roundingpolicycode] Rounding policy of new price list items. */
  roundingPolicyCode: number;
  /** [sync.defaultcurrency] Currency of records that name none. */
  defaultCurrency: string;
  /** [sync.invoice.field] Text column on salesorder that receives the accounting invoice number. */
  invoiceNumberField?: string;
  /** [sync.invoicestatus.get] Status reason of orders ready for the accounts. */
  readyStatus: number;
  /** [sync.invoicestatus.set] Status reason an order takes once its invoice is in the accounts. */
  uploadedStatus: number;
  /** The accountnumber length the accounting system's references need (checked by doctor). */
  accountNumberLength: number;
  /** Header a Dataverse webhook (HttpHeader authentication) carries, and its value. */
  webhookHeaderName: string;
  webhookKey?: string;
  /** Incremental reads follow the tables' change tracking (delta links) rather than modifiedon. */
  changeTracking: boolean;
  pageSize: number;
  /** Operations per $batch request (Dataverse allows 1,000). */
  batchSize: number;
  timeoutMs: number;
}

const CURRENCY = /^[A-Z]{3}$/;
const COLUMN = /^[a-z_][a-z0-9_]*$/;

/** Checks what the field types alone cannot: the values a person could get subtly wrong. */
export function checkSettings(s: DynamicsSettings): DynamicsSettings {
  const problems: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(s.url);
  } catch {
    problems.push(
      `url "${s.url}" is not a URL; use the environment URL, e.g. https://contoso.crm.dynamics.com`,
    );
  }
  if (url && url.pathname.replace(/\/+$/, '') !== '')
    problems.push(
      `url should be the environment URL only (${url.origin}), not ${url.pathname}: the connector adds /api/data/v9.2/`,
    );
  if (!CURRENCY.test(s.defaultCurrency))
    problems.push(`defaultCurrency "${s.defaultCurrency}" is not an ISO 4217 code such as GBP`);
  if (s.invoiceNumberField !== undefined && !COLUMN.test(s.invoiceNumberField))
    problems.push(
      `invoiceNumberField "${s.invoiceNumberField}" is not a column's logical name (lower case, e.g. new_invoicenumber)`,
    );
  if (s.readyStatus === s.uploadedStatus)
    problems.push(
      `readyStatus and uploadedStatus are both ${s.readyStatus}; an uploaded order would be read again`,
    );
  if (![1, 2, 3, 4].includes(s.roundingPolicyCode))
    problems.push(
      `roundingPolicyCode ${s.roundingPolicyCode} is not one of 1 None, 2 Up, 3 Down, 4 To Nearest`,
    );
  if (![1, 2, 3, 4].includes(s.productTypeCode))
    problems.push(
      `productTypeCode ${s.productTypeCode} is not one of 1 Sales Inventory, 2 Miscellaneous Charges, 3 Services, 4 Flat Fees`,
    );
  if (s.quantityDecimal < 0 || s.quantityDecimal > 5)
    problems.push(`quantityDecimal ${s.quantityDecimal} must be 0 to 5 (product.quantitydecimal)`);
  if (s.batchSize < 1 || s.batchSize > 1000) problems.push(`batchSize ${s.batchSize} must be 1 to 1000`);
  if (s.pageSize < 1 || s.pageSize > 5000) problems.push(`pageSize ${s.pageSize} must be 1 to 5000`);
  if (s.authority !== undefined) {
    try {
      const a = new URL(s.authority);
      if (a.protocol !== 'https:' && !isLoopback(a.hostname))
        problems.push(`authority ${s.authority} must use https (a client secret never travels in clear)`);
    } catch {
      problems.push(`authority "${s.authority}" is not a URL`);
    }
  }
  if (problems.length) throw configError(`Dynamics 365 settings: ${problems.join('; ')}`);
  return s;
}

export const isLoopback = (host: string): boolean =>
  host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
