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
  extension_attributes?: Record<string, unknown>;
  [other: string]: unknown;
}

export interface SourceItem {
  sku: string;
  source_code: string;
  quantity: number;
  status: number;
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
