/** Raw Magento REST shapes (the fields Ledgerlink reads or writes; the API has more). */
export interface CustomAttribute {
  attribute_code: string;
  value: unknown;
}

export interface MagentoAddress {
  id?: number;
  customer_id?: number;
  firstname?: string;
  lastname?: string;
  company?: string;
  street?: string[];
  city?: string;
  region?: { region?: string; region_code?: string; region_id?: number };
  region_id?: number;
  postcode?: string;
  country_id?: string;
  telephone?: string;
  default_billing?: boolean;
  default_shipping?: boolean;
}

export interface MagentoCustomer {
  id?: number;
  group_id?: number;
  email: string;
  firstname: string;
  lastname: string;
  website_id?: number;
  store_id?: number;
  created_at?: string;
  updated_at?: string;
  created_in?: string;
  default_billing?: string;
  default_shipping?: string;
  addresses?: MagentoAddress[];
  custom_attributes?: CustomAttribute[];
  [other: string]: unknown;
}

export interface MagentoProduct {
  id?: number;
  sku: string;
  name?: string;
  price?: number;
  status?: number;
  visibility?: number;
  type_id?: string;
  attribute_set_id?: number;
  weight?: number;
  created_at?: string;
  updated_at?: string;
  custom_attributes?: CustomAttribute[];
  extension_attributes?: { stock_item?: StockItem; [other: string]: unknown };
  [other: string]: unknown;
}

/** Multi-Source Inventory: a product's quantity at one source. */
export interface MsiSourceItem {
  sku: string;
  source_code: string;
  quantity: number;
  /** 1 in stock, 0 out of stock. */
  status: number;
}

/**
 * The legacy (CatalogInventory) stock item. The published spec marks every field below required,
 * so a write sends the whole item: the one Magento has, with quantity and availability changed.
 */
export interface StockItem {
  item_id?: number;
  product_id?: number;
  stock_id?: number;
  qty: number;
  is_in_stock: boolean;
  is_qty_decimal: boolean;
  show_default_notification_message: boolean;
  use_config_min_qty: boolean;
  min_qty: number;
  use_config_min_sale_qty: number;
  min_sale_qty: number;
  use_config_max_sale_qty: boolean;
  max_sale_qty: number;
  use_config_backorders: boolean;
  backorders: number;
  use_config_notify_stock_qty: boolean;
  notify_stock_qty: number;
  use_config_qty_increments: boolean;
  qty_increments: number;
  use_config_enable_qty_inc: boolean;
  enable_qty_increments: boolean;
  use_config_manage_stock: boolean;
  manage_stock: boolean;
  /** Magento answers null when the stock is not low (the spec says string); it recomputes it on save. */
  low_stock_date: string | null;
  is_decimal_divided: boolean;
  stock_status_changed_auto: number;
}

export interface SearchResult<T> {
  items: T[];
  total_count: number;
  search_criteria: unknown;
}

export const attr = (list: CustomAttribute[] | undefined, code: string): unknown =>
  list?.find((a) => a.attribute_code === code)?.value;

/** Replaces or adds custom attributes by code, leaving the others as they are. */
export function mergeAttrs(list: CustomAttribute[] | undefined, add: CustomAttribute[]): CustomAttribute[] {
  const out = (list ?? []).filter((a) => !add.some((b) => b.attribute_code === a.attribute_code));
  return [...out, ...add];
}

/**
 * Adobe Commerce B2B: a customer's company membership, `extension_attributes.company_attributes`
 * (spec company-data-company-customer-interface). company_id 0 = in no company.
 */
export interface CompanyAttributes {
  customer_id?: number;
  company_id?: number;
  job_title?: string;
  /** 0 inactive, 1 active. */
  status?: number;
  telephone?: string;
  is_default?: boolean;
}

/** Adobe Commerce B2B company (spec company-data-company-interface). */
export interface MagentoCompany {
  id?: number;
  /** 0 pending approval, 1 approved, 2 rejected, 3 blocked. */
  status?: number;
  company_name: string;
  legal_name?: string;
  company_email: string;
  vat_tax_id?: string;
  reseller_id?: string;
  comment?: string;
  street: string[];
  city?: string;
  country_id?: string;
  region?: string;
  region_id?: string;
  postcode?: string;
  telephone?: string;
  customer_group_id: number;
  sales_representative_id?: number;
  reject_reason?: string | null;
  rejected_at?: string | null;
  /** The company admin's customer id. */
  super_user_id: number;
  extension_attributes?: CompanyExtension;
  [other: string]: unknown;
}

/** The company's payment (and shipping) settings, spec company-data-company-extension-interface. */
export interface CompanyExtension {
  /** 0 B2B config's methods, 1 all enabled methods, 2 the selected ones (Magento's fixtures). */
  applicable_payment_method?: number;
  /** Comma-separated payment method codes. */
  available_payment_methods?: string;
  use_config_settings?: number;
  [other: string]: unknown;
}

/** A company role (spec company-data-role-interface). */
export interface CompanyRole {
  id?: number;
  role_name?: string;
  company_id?: number;
  permissions: Array<{ id?: number; role_id?: number; resource_id: string; permission: string }>;
  extension_attributes?: Record<string, unknown>;
}
