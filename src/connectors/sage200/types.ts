/** Sage 200 API v1 shapes we read and write (specs/sage200 names every field; FACTS.md). */

export interface S200Address {
  address_1?: string;
  address_2?: string;
  address_3?: string;
  address_4?: string;
  city?: string;
  county?: string;
  postcode?: string;
  country?: string;
  contact_name?: string;
  /** Published as an object without properties; read for its `code` when present (FACTS.md ⚠). */
  address_country_code?: { code?: string } | null;
}

export interface S200Contact {
  id?: number;
  name?: string;
  first_name?: string;
  last_name?: string;
  default_telephone?: string;
  default_email?: string;
  is_default?: boolean;
}

/** sales.json #/components/schemas/customer */
export interface S200Customer {
  id: number;
  reference: string;
  name: string;
  short_name?: string;
  balance?: number;
  on_hold?: boolean;
  account_status_type?: string;
  credit_limit?: number;
  currency_id?: number;
  main_address?: S200Address;
  contacts?: S200Contact[];
  date_time_created?: string;
  date_time_updated?: string;
}

/** Stock_head.json #/definitions/product */
export interface S200Product {
  id: number;
  code: string;
  name: string;
  description?: string;
  product_group_id?: number;
  product_status_type?: string;
  standard_cost?: number;
  allow_sales_order?: boolean;
  date_time_created?: string;
  date_time_updated?: string;
}

/** price-book.json #/components/schemas/price_band */
export interface S200PriceBand {
  id: number;
  name?: string;
  is_standard_band?: boolean;
  is_active?: boolean;
}

/** price-book.json #/components/schemas/product_price_view */
export interface S200ProductPriceView {
  product_price_id?: number;
  product_id: number;
  product_code?: string;
  product_stock_unit_name?: string;
  price_band_id?: number;
  price_band_name?: string;
  product_price_price?: number;
  date_time_updated?: string;
}

/** sales.json #/components/schemas/sales_posted_transaction */
export interface S200PostedTransaction {
  id: number;
  customer_id: number;
  trader_transaction_type?: string;
  reference?: string;
  second_reference?: string;
  transaction_date?: string;
  due_date?: string;
  document_goods_value?: number;
  document_gross_value?: number;
  document_tax_value?: number;
  document_outstanding_value?: number;
  date_time_created?: string;
  date_time_updated?: string;
}

/**
 * sales.json #/components/schemas/customer_sop_invoice_credit_line_view (the fields read): one row per
 * SOP invoice / credit note line and profit analysis entry, with its customer and product (FACTS.md).
 */
export interface S200InvoiceCreditLineView {
  customer_id?: number;
  customer_reference?: string;
  sop_invoice_credit_id?: number;
  sop_invoice_credit_type?: string;
  sop_invoice_credit_document_no?: string;
  sop_invoice_credit_line_id?: number;
  sop_invoice_credit_line_total_value?: number;
  sop_invoice_credit_line_tax_value?: number;
  invoice_line_profit_analysis_id?: number;
  invoice_line_profit_analysis_line_quantity?: number;
  product_code?: string | null;
  product_name?: string | null;
  product_description?: string | null;
}

/** Stock_head.json #/definitions/warehouse */
export interface S200Warehouse {
  id: number;
  name: string;
}

/** SopSalesOrders.json #/definitions/sop_order_line (what we send) */
export interface S200SopOrderLine {
  line_type: string;
  product_id: number;
  warehouse_id: number;
  code: string;
  description: string;
  line_quantity: number;
  selling_unit_price?: number;
  selling_unit_price_overridden?: boolean;
}

/** SopSalesOrders.json #/definitions/sop_order */
export interface S200SopOrder {
  id?: number;
  customer_id: number;
  document_no: string;
  document_date?: string;
  customer_document_no?: string;
  document_created_by?: string;
  total_gross_value?: number;
  lines?: S200SopOrderLine[];
  date_time_updated?: string;
}

/** What the sites resource answers (general.json #/components/schemas/site). */
export interface S200Site {
  company_id?: number;
  company_name?: string;
  site_id?: string;
  site_name?: string;
}

/** trader_transaction_type of a posted invoice and credit note (named in sales.json's descriptions of posting invoices and credit notes). */
export const INVOICE_TYPE = 'TradingAccountEntryTypeInvoice';
export const CREDIT_NOTE_TYPE = 'TradingAccountEntryTypeCreditNote';
/** account_status_type of a hidden (inactive) account. */
export const HIDDEN_ACCOUNT = 'AccountStatusHidden';
/** line_type of a stock line on a SOP order (FACTS.md ⚠). */
export const STANDARD_LINE = 'EnumLineTypeStandard';
