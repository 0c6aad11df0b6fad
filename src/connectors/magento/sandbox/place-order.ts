import { Decimal } from 'decimal.js';
import { seededRandom } from '../../sdk/sandbox-kit.js';
import type { MagentoOrder, MagentoOrderAddress, MagentoOrderItem } from '../sales-types.js';
import { COUNTRIES } from './directory.js';
import { invoiceOrder } from './invoices.js';
import { num } from './order-state.js';
import { orderTotals, taxCode } from './order-totals.js';
import { createOrder, Refusal } from './orders.js';
import type { SandboxStore } from './store.js';

/** What a shopper puts in the cart and chooses at checkout. */
export interface PlaceOrderInput {
  /** A registered customer; else `guest` says who ordered. */
  customerId?: number;
  guest?: { email: string; firstname: string; lastname: string };
  lines: Array<{
    sku: string;
    qty: Decimal.Value;
    /** Defaults to the product's price. */
    price?: Decimal.Value;
    /** Amount a cart price rule takes off the row. */
    discount?: Decimal.Value;
    /** Percent, e.g. 8.875 or 20. */
    taxPercent?: Decimal.Value;
  }>;
  /** Default "flatrate_flatrate". */
  shippingMethod?: string;
  /** Default "5.00" (one flat rate per order). */
  shippingAmount?: string;
  /** Default "checkmo". */
  paymentMethod?: string;
  /** Default "USD". */
  currency?: string;
  /** Laid over the default address (the customer's default billing address, else one in New York). */
  address?: Partial<MagentoOrderAddress>;
  /**
   * The payment action "Authorize and Capture": the gateway takes the money at checkout, so Magento
   * invoices the whole order at once (captured online) and the order is paid when it is placed.
   */
  capture?: boolean;
}

/** The titles Magento shows for its stock shipping methods (shipping_description). */
const METHOD_TITLES: Record<string, string> = {
  flatrate_flatrate: 'Flat Rate - Fixed',
  freeshipping_freeshipping: 'Free Shipping - Free',
  tablerate_bestway: 'Best Way - Table Rate',
};

function defaultAddress(
  store: SandboxStore,
  who: { email: string; firstname: string; lastname: string },
  customerId: number | undefined,
): MagentoOrderAddress {
  const c = customerId === undefined ? undefined : store.customers.get(customerId);
  const saved = c?.addresses?.find((a) => a.default_billing) ?? c?.addresses?.[0];
  if (saved?.street?.length && saved.city && saved.postcode && saved.country_id && saved.telephone) {
    return {
      address_type: 'billing',
      firstname: saved.firstname ?? who.firstname,
      lastname: saved.lastname ?? who.lastname,
      email: who.email,
      street: saved.street,
      city: saved.city,
      ...(saved.region?.region ? { region: saved.region.region } : {}),
      ...(saved.region?.region_code ? { region_code: saved.region.region_code } : {}),
      ...(saved.region_id ? { region_id: saved.region_id } : {}),
      postcode: saved.postcode,
      country_id: saved.country_id,
      telephone: saved.telephone,
    };
  }
  return {
    address_type: 'billing',
    firstname: who.firstname,
    lastname: who.lastname,
    email: who.email,
    street: ['350 Fifth Avenue'],
    city: 'New York',
    region: 'New York',
    region_code: 'NY',
    region_id: Number(COUNTRIES.US?.available_regions?.find((r) => r.code === 'NY')?.id),
    postcode: '10118',
    country_id: 'US',
    telephone: '+1 212 555 0100',
  };
}

/**
 * What Magento saves when a shopper checks out: the cart's rows priced and taxed (see
 * order-totals.ts), the taxes applied grouped by rate, the shipping method and the payment method,
 * in state new / status pending. Saved through the same path as POST /V1/orders, so it gets its
 * ids and number and is announced like any other save.
 */
export function placeOrder(store: SandboxStore, input: PlaceOrderInput): MagentoOrder {
  const customer = input.customerId === undefined ? undefined : store.customers.get(input.customerId);
  if (input.customerId !== undefined && !customer)
    throw new Error(`the sandbox has no customer ${input.customerId}`);
  const who = customer
    ? { email: customer.email, firstname: customer.firstname, lastname: customer.lastname }
    : input.guest;
  if (!who) throw new Error('an order needs a customerId or a guest');
  if (input.lines.length === 0) throw new Error('an order needs at least one line');
  const products = input.lines.map((l) => {
    const p = store.productBySku(l.sku);
    if (!p) throw new Error(`the sandbox has no product ${l.sku}`);
    return p;
  });
  const totals = orderTotals(
    input.lines.map((l, i) => ({
      qty: l.qty,
      price: l.price ?? products[i]!.price ?? 0,
      ...(l.discount !== undefined ? { discount: l.discount } : {}),
      ...(l.taxPercent !== undefined ? { taxPercent: l.taxPercent } : {}),
    })),
    input.shippingAmount ?? '5.00',
  );
  const currency = input.currency ?? 'USD';
  const method = input.shippingMethod ?? 'flatrate_flatrate';
  const billing = { ...defaultAddress(store, who, input.customerId), ...input.address };
  const items = input.lines.map((l, i): MagentoOrderItem => {
    const t = totals.lines[i]!;
    const p = products[i]!;
    return {
      sku: p.sku,
      name: p.name ?? p.sku,
      product_id: p.id!,
      product_type: 'simple',
      qty_ordered: num(l.qty),
      price: num(l.price ?? p.price ?? 0),
      original_price: p.price ?? num(l.price ?? 0),
      price_incl_tax: num(t.priceInclTax),
      row_total: num(t.rowTotal),
      row_total_incl_tax: num(t.rowTotalInclTax),
      discount_amount: num(t.discount),
      tax_amount: num(t.tax),
      tax_percent: num(t.taxPercent),
    };
  });
  const order: MagentoOrder = {
    state: 'new',
    status: 'pending',
    ...(customer ? { customer_id: customer.id!, customer_group_id: customer.group_id ?? 1 } : {}),
    // A guest is in the NOT LOGGED IN group (0).
    ...(customer ? {} : { customer_group_id: 0 }),
    customer_is_guest: customer ? 0 : 1,
    customer_email: who.email,
    customer_firstname: who.firstname,
    customer_lastname: who.lastname,
    order_currency_code: currency,
    base_currency_code: currency,
    shipping_description: METHOD_TITLES[method] ?? method,
    subtotal: num(totals.subtotal),
    subtotal_incl_tax: num(totals.lines.reduce((s, l) => s.plus(l.rowTotalInclTax), new Decimal(0))),
    discount_amount: num(`-${totals.discount}`),
    shipping_amount: num(totals.shipping),
    shipping_incl_tax: num(totals.shipping),
    shipping_tax_amount: 0,
    tax_amount: num(totals.tax),
    grand_total: num(totals.grandTotal),
    base_grand_total: num(totals.grandTotal),
    total_paid: 0,
    items,
    billing_address: billing,
    payment: {
      method: input.paymentMethod ?? 'checkmo',
      account_status: '',
      additional_information: [],
      cc_last4: '',
    },
    extension_attributes: {
      shipping_assignments: [
        {
          shipping: {
            address: { ...billing, address_type: 'shipping' },
            method,
            total: { shipping_amount: num(totals.shipping), base_shipping_amount: num(totals.shipping) },
          },
          items: [],
        },
      ],
      applied_taxes: totals.rates.map((r, i) => {
        const code = taxCode(r.percent, i, billing.country_id, billing.region_code);
        return { code, title: code, percent: num(r.percent), amount: num(r.tax), base_amount: num(r.tax) };
      }),
    },
  };
  const saved = createOrder(store, order);
  if (saved instanceof Refusal) throw new Error(saved.body.message);
  if (!input.capture) return saved;
  const invoiced = invoiceOrder(store, saved.entity_id!, { capture: true });
  if (invoiced instanceof Refusal) throw new Error(invoiced.body.message);
  return store.orders.get(saved.entity_id!)!;
}

/** Sample orders for a seeded sandbox: one to three lines each, some by guests, several tax rates. */
export function seedOrders(store: SandboxStore, count: number, seed: number): void {
  const rnd = seededRandom(seed + 7);
  const skus = [...store.products.keys()];
  const customers = [...store.customers.keys()];
  if (count > 0 && skus.length === 0) throw new Error('sample orders need sample products');
  const rates = ['0', '8.875', '20', '7.25'];
  for (let i = 1; i <= count; i++) {
    const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({
      sku: skus[Math.floor(rnd() * skus.length)]!,
      qty: 1 + Math.floor(rnd() * 3),
      taxPercent: rates[Math.floor(rnd() * rates.length)]!,
      discount: rnd() < 0.3 ? '1.00' : '0',
    }));
    // A discount never exceeds its row: a cheap product gets none.
    for (const l of lines)
      if (new Decimal(store.products.get(l.sku)?.price ?? 0).times(l.qty).lt(1)) l.discount = '0';
    const guest = customers.length === 0 || i % 3 === 0;
    placeOrder(store, {
      ...(guest
        ? { guest: { email: `guest${i}@example.com`, firstname: 'Gus', lastname: `Guest${i}` } }
        : { customerId: customers[i % customers.length]! }),
      lines,
    });
  }
}
