import type { Customer, Product } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { IsCustomer, IsProduct } from '../types.js';
import { cash, dec } from './amounts.js';
import { NO_SKU } from './stock.js';
import { fromLocal } from './time.js';

/** A product with its price and its stock per outlet (inventories, by outlet_code). */
export function productFrom(p: IsProduct, o: { timeZone: number; currency: string; now: string }): Product {
  const sku = p.sku?.trim();
  if (!sku) throw rejected('missing_field', `product "${p.name}" (${p.product_id}): ${NO_SKU}`);
  return {
    sku,
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    status: p.is_active === false ? 'inactive' : 'active',
    listPrice: cash(dec(p.price, `product ${sku}: price`), o.currency),
    unit: p.unit_of_measurement || 'PCS',
    stock: (p.inventories ?? [])
      .filter((i) => i.outlet_code)
      .map((i) => ({ warehouse: i.outlet_code!, onHand: dec(i.unit_in_stock).toFixed() })),
    updatedAt: p.modified_date ? fromLocal(p.modified_date, o.timeZone) : o.now,
  };
}

/**
 * A customer: numbered by the customer ID the shop typed when there is one, else by iSeller's own
 * id marked internalNumber (the seed: the accounting side numbers it then). Read by its customer_id,
 * which is how sales name it.
 */
export function customerFrom(
  c: IsCustomer,
  o: { timeZone: number; currency: string; now: string },
): Customer {
  const name = [c.first_name, c.last_name].filter((x) => x?.trim()).join(' ');
  return {
    // The ID the shop typed (the seed's "ID in customer data"), else iSeller's own, marked as such.
    ...(c.external_customer_id?.trim()
      ? { number: c.external_customer_id.trim() }
      : { number: c.customer_id, internalNumber: true }),
    name: name || c.email || c.customer_id,
    ...(c.email ? { email: c.email } : {}),
    ...(c.customer_group ? { class: c.customer_group } : {}),
    status: 'active',
    onHold: false,
    currency: o.currency,
    contacts: [
      {
        ...(c.first_name ? { firstName: c.first_name } : {}),
        ...(c.last_name ? { lastName: c.last_name } : {}),
        ...(c.email ? { email: c.email } : {}),
        ...(c.phone ? { phone: c.phone } : {}),
        isPrimary: true,
      },
    ],
    addresses: [],
    updatedAt: c.modified_date ? fromLocal(c.modified_date, o.timeZone) : o.now,
  };
}
