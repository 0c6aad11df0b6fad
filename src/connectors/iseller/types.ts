/**
 * iSeller's shapes as this connector reads and sends them. Public API v2 fields are from the partner
 * PDF (FACTS.md "PA v2"); ERP API fields marked ⚠ in FACTS.md are the sandbox's assumption. Amounts
 * arrive as JSON numbers or decimal strings ("55000.0000"): never used as floats, always through Decimal.
 */
export type Amount = number | string;

/** Every answer: the list, `status` and `error_message` (HTTP 200 with status false is a failure). */
export interface Envelope {
  status?: boolean;
  error_message?: string | null;
  has_next_item?: boolean;
  count?: number;
  [list: string]: unknown;
}

export interface IsOrderDetail {
  order_detail_id?: string;
  product_id?: string;
  product_name?: string;
  sku?: string | null;
  quantity: Amount;
  base_price: Amount;
  discount_amount?: Amount;
  tax_percentage?: Amount;
  tax_amount?: Amount;
  unit_of_measurement?: string;
}

export interface IsTransaction {
  transaction_id: string;
  transaction_date: string;
  type: 'sale' | 'refund' | 'void';
  status: 'success' | 'error' | 'pending' | 'failure';
  gateway?: string;
  payment_type_id?: string;
  payment_type_name?: string;
  amount: Amount;
}

/** A refund of an order (refunded_orders[], with TrackInventory; PA v2, detail ⚠). */
export interface IsRefund {
  order_id: string;
  refund_id?: string;
  refund_reference?: string;
  refund_date: string;
  refund_amount: Amount;
  rounding_amount?: Amount;
  refund_details?: IsOrderDetail[];
}

export interface IsOrder {
  order_id: string;
  order_reference: string;
  channel?: string;
  order_date: string;
  closed_date?: string | null;
  modified_date?: string;
  status: string;
  payment_status: string;
  outlet_id?: string;
  outlet_name?: string;
  outlet_code?: string | null;
  register_id?: string | null;
  customer_id?: string | null;
  external_customer_id?: string | null;
  customer_first_name?: string | null;
  customer_last_name?: string | null;
  currency?: string;
  total_discount_amount?: Amount;
  total_promotion_amount?: Amount;
  subtotal?: Amount;
  total_tax_amount?: Amount;
  rounding_amount?: Amount;
  total_amount: Amount;
  tax_inclusive?: boolean;
  cancel_date?: string | null;
  order_details?: IsOrderDetail[];
  transactions?: IsTransaction[];
}

export interface IsProduct {
  product_id: string;
  sku?: string | null;
  name: string;
  description?: string | null;
  price: Amount;
  unit_of_measurement?: string | null;
  is_active?: boolean;
  modified_date?: string;
  inventories?: Array<{ outlet_id?: string; outlet_code?: string; unit_in_stock: Amount }>;
}

export interface IsCustomer {
  customer_id: string;
  /** The customer ID a shop types (the seed's "ID in customer data"); absent when none was typed. */
  external_customer_id?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
  customer_group?: string | null;
  modified_date?: string;
}

export interface IsOutlet {
  id?: string;
  outlet_id?: string;
  outlet_code?: string | null;
  name?: string;
  outlet_name?: string;
}

/** GetOutletInventories (ERP ⚠ FACTS.md): one SKU's stock at the outlet asked for. */
export interface IsOutletInventory {
  sku?: string | null;
  stock?: Amount | null;
}

/** GetTransfer (ERP ⚠): a transfer out of an outlet, or the transfer in that receives it. */
export interface IsTransfer {
  transfer_id: string;
  reference: string;
  type: 'out' | 'in';
  out_type?: 'to_outlet' | 'return_supplier';
  from_outlet_code?: string | null;
  to_outlet_code?: string | null;
  /** A transfer in's transfer out. */
  out_reference?: string | null;
  status: string;
  transfer_date: string;
  modified_date?: string;
  items: Array<{ sku?: string | null; quantity: Amount; unit_of_measurement?: string }>;
}

/** GetInventoryAdjustments (ERP ⚠): a stock take (opname) or adjustment, counted against the book. */
export interface IsAdjustment {
  adjustment_id: string;
  reference: string;
  outlet_code?: string | null;
  action: string;
  status: string;
  adjustment_date: string;
  modified_date?: string;
  items: Array<{
    sku?: string | null;
    system_stock?: Amount;
    actual_stock: Amount;
    unit_of_measurement?: string;
  }>;
}

/** GetRegisterShifts (PA v2 pp.39–40; totals ⚠). */
export interface IsShift {
  register_shift_id: string;
  register_id: string;
  register_name?: string;
  outlet_id?: string;
  outlet_code?: string | null;
  open_date: string;
  closed_date?: string | null;
  modified_date?: string;
  total_sales_amount?: Amount;
  total_refund_amount?: Amount;
  total_order_count?: number;
  payments?: Array<{ payment_type_name: string; amount: Amount }>;
}
