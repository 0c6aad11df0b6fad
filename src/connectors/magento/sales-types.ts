/**
 * Raw Magento REST shapes of sales documents (sales-data-order-interface and its kin in the
 * published spec): the fields Ledgerlink reads or writes; the API has many more. Amounts are JSON
 * numbers, as Magento sends them; they become decimal strings the moment they are read.
 */
export interface MagentoOrderAddress {
  entity_id?: number;
  parent_id?: number;
  address_type: 'billing' | 'shipping';
  firstname: string;
  lastname: string;
  company?: string;
  email?: string;
  street?: string[];
  city: string;
  /** An order address keeps its region as text, unlike a customer address. */
  region?: string;
  region_code?: string;
  region_id?: number;
  postcode: string;
  country_id: string;
  telephone: string;
  customer_id?: number;
}

export interface MagentoOrderItem {
  item_id?: number;
  order_id?: number;
  /** Set on the child of a configurable or bundle product: the parent carries the line. */
  parent_item_id?: number;
  sku: string;
  name?: string;
  product_id?: number;
  product_type?: string;
  qty_ordered?: number;
  qty_shipped?: number;
  qty_invoiced?: number;
  qty_canceled?: number;
  qty_refunded?: number;
  amount_refunded?: number;
  base_amount_refunded?: number;
  tax_refunded?: number;
  discount_refunded?: number;
  price?: number;
  base_price?: number;
  original_price?: number;
  base_original_price?: number;
  price_incl_tax?: number;
  base_price_incl_tax?: number;
  row_total?: number;
  base_row_total?: number;
  row_total_incl_tax?: number;
  base_row_total_incl_tax?: number;
  row_invoiced?: number;
  base_row_invoiced?: number;
  discount_amount?: number;
  base_discount_amount?: number;
  discount_invoiced?: number;
  base_discount_invoiced?: number;
  tax_amount?: number;
  base_tax_amount?: number;
  tax_invoiced?: number;
  base_tax_invoiced?: number;
  tax_percent?: number;
  is_virtual?: number;
  store_id?: number;
  created_at?: string;
  updated_at?: string;
  [other: string]: unknown;
}

export interface MagentoOrderPayment {
  entity_id?: number;
  parent_id?: number;
  method: string;
  /** Required by the published spec on every payment, though only card gateways fill them. */
  account_status: string;
  additional_information: string[];
  cc_last4: string;
  amount_ordered?: number;
  base_amount_ordered?: number;
  amount_paid?: number;
  base_amount_paid?: number;
  amount_refunded?: number;
  base_amount_refunded?: number;
  [other: string]: unknown;
}

/** An order comment (sales_order_status_history). */
export interface MagentoStatusHistory {
  entity_id?: number;
  parent_id: number;
  comment: string;
  is_customer_notified: number;
  is_visible_on_front: number;
  status?: string;
  created_at?: string;
  entity_name?: string;
}

/** A tax as the order applied it (extension_attributes.applied_taxes). */
export interface MagentoAppliedTax {
  code?: string;
  title?: string;
  percent?: number;
  amount: number;
  base_amount: number;
}

export interface MagentoShippingAssignment {
  shipping: { address?: MagentoOrderAddress; method?: string; total?: Record<string, number> };
  /** Required by the spec; Magento reads only `shipping` when an order is saved. */
  items: MagentoOrderItem[];
  stock_id?: number;
}

export interface MagentoOrder {
  entity_id?: number;
  increment_id?: string;
  state?: string;
  status?: string;
  store_id?: number;
  customer_id?: number;
  customer_is_guest?: number;
  customer_group_id?: number;
  customer_email: string;
  customer_firstname?: string;
  customer_lastname?: string;
  created_at?: string;
  updated_at?: string;
  ext_order_id?: string;
  order_currency_code?: string;
  base_currency_code?: string;
  global_currency_code?: string;
  store_currency_code?: string;
  base_to_order_rate?: number;
  shipping_description?: string;
  subtotal?: number;
  base_subtotal?: number;
  subtotal_incl_tax?: number;
  base_subtotal_incl_tax?: number;
  /** Negative: Magento keeps discounts as amounts taken off. */
  discount_amount?: number;
  base_discount_amount?: number;
  shipping_amount?: number;
  base_shipping_amount?: number;
  shipping_incl_tax?: number;
  base_shipping_incl_tax?: number;
  shipping_tax_amount?: number;
  base_shipping_tax_amount?: number;
  tax_amount?: number;
  base_tax_amount?: number;
  grand_total: number;
  base_grand_total: number;
  total_paid?: number;
  base_total_paid?: number;
  total_due?: number;
  base_total_due?: number;
  total_invoiced?: number;
  base_total_invoiced?: number;
  subtotal_invoiced?: number;
  base_subtotal_invoiced?: number;
  tax_invoiced?: number;
  base_tax_invoiced?: number;
  shipping_invoiced?: number;
  base_shipping_invoiced?: number;
  discount_invoiced?: number;
  base_discount_invoiced?: number;
  /** What credit memos gave back (online and offline together), never more than total_paid. */
  total_refunded?: number;
  base_total_refunded?: number;
  total_offline_refunded?: number;
  base_total_offline_refunded?: number;
  subtotal_refunded?: number;
  base_subtotal_refunded?: number;
  tax_refunded?: number;
  base_tax_refunded?: number;
  shipping_refunded?: number;
  base_shipping_refunded?: number;
  discount_refunded?: number;
  base_discount_refunded?: number;
  adjustment_positive?: number;
  adjustment_negative?: number;
  /** What a cancellation took off: grand_total − total_paid when it happened. */
  total_canceled?: number;
  base_total_canceled?: number;
  subtotal_canceled?: number;
  base_subtotal_canceled?: number;
  tax_canceled?: number;
  base_tax_canceled?: number;
  shipping_canceled?: number;
  base_shipping_canceled?: number;
  /** Where a held order goes back to when the hold is released. */
  hold_before_state?: string;
  hold_before_status?: string;
  total_qty_ordered?: number;
  total_item_count?: number;
  items: MagentoOrderItem[];
  billing_address?: MagentoOrderAddress;
  payment?: MagentoOrderPayment;
  status_histories?: MagentoStatusHistory[];
  extension_attributes?: {
    shipping_assignments?: MagentoShippingAssignment[];
    applied_taxes?: MagentoAppliedTax[];
    [other: string]: unknown;
  };
  [other: string]: unknown;
}

/** One line of a shipment or an invoice to create: an order item and a quantity. */
export interface MagentoDocumentItemRequest {
  order_item_id: number;
  qty: number;
}

export interface MagentoTrackRequest {
  track_number: string;
  title: string;
  carrier_code: string;
}

export interface MagentoDocumentComment {
  entity_id?: number;
  parent_id: number;
  comment: string;
  is_customer_notified: number;
  is_visible_on_front: number;
  created_at?: string;
}

export interface MagentoShipmentItem {
  entity_id?: number;
  parent_id?: number;
  order_item_id: number;
  qty: number;
  sku?: string;
  name?: string;
  price?: number;
  product_id?: number;
}

export interface MagentoTrack {
  entity_id?: number;
  parent_id: number;
  order_id: number;
  track_number: string;
  title: string;
  carrier_code: string;
  /** Required by the published spec; Magento leaves them empty for tracks added through the API. */
  weight: number;
  qty: number;
  description: string;
  created_at?: string;
}

export interface MagentoShipment {
  entity_id?: number;
  increment_id?: string;
  order_id: number;
  store_id?: number;
  customer_id?: number;
  total_qty?: number;
  created_at?: string;
  updated_at?: string;
  items: MagentoShipmentItem[];
  tracks: MagentoTrack[];
  comments: MagentoDocumentComment[];
}

export interface MagentoInvoiceItem {
  entity_id?: number;
  parent_id?: number;
  order_item_id: number;
  sku: string;
  name?: string;
  qty: number;
  price?: number;
  row_total?: number;
  discount_amount?: number;
  tax_amount?: number;
  product_id?: number;
}

export interface MagentoInvoice {
  entity_id?: number;
  increment_id?: string;
  order_id: number;
  store_id?: number;
  /** 1 open, 2 paid, 3 canceled. */
  state?: number;
  total_qty: number;
  order_currency_code?: string;
  base_currency_code?: string;
  subtotal?: number;
  base_subtotal?: number;
  discount_amount?: number;
  base_discount_amount?: number;
  shipping_amount?: number;
  base_shipping_amount?: number;
  tax_amount?: number;
  base_tax_amount?: number;
  grand_total?: number;
  base_grand_total?: number;
  created_at?: string;
  updated_at?: string;
  items: MagentoInvoiceItem[];
  comments?: MagentoDocumentComment[];
}

/** One line of a credit memo to create (RefundOrder's `items`). */
export interface MagentoCreditmemoItemRequest {
  order_item_id: number;
  qty: number;
}

export interface MagentoCreditmemoItem {
  entity_id: number;
  parent_id?: number;
  order_item_id: number;
  sku?: string;
  name?: string;
  qty: number;
  price?: number;
  base_price: number;
  base_cost: number;
  row_total?: number;
  discount_amount?: number;
  tax_amount?: number;
  product_id?: number;
}

/** A credit memo (sales-data-creditmemo-interface): money an order gave back. */
export interface MagentoCreditmemo {
  entity_id?: number;
  increment_id?: string;
  order_id: number;
  invoice_id?: number;
  store_id?: number;
  /** 1 open, 2 refunded, 3 canceled. */
  state?: number;
  order_currency_code?: string;
  base_currency_code?: string;
  subtotal?: number;
  base_subtotal?: number;
  discount_amount?: number;
  base_discount_amount?: number;
  shipping_amount?: number;
  base_shipping_amount?: number;
  tax_amount?: number;
  base_tax_amount?: number;
  adjustment_positive?: number;
  adjustment_negative?: number;
  grand_total?: number;
  base_grand_total?: number;
  created_at?: string;
  updated_at?: string;
  items: MagentoCreditmemoItem[];
  comments?: MagentoDocumentComment[];
}
