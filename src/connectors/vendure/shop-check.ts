import type { CheckResult } from '../sdk/contract.js';
import type { VendureSettings } from './settings.js';
import type { ShopFacts } from './types.js';

/** The custom fields Ledgerlink keeps the ERP's numbers in, by entity. */
export const REQUIRED_CUSTOM_FIELDS: ReadonlyArray<{ entity: string; field: string }> = [
  { entity: 'Order', field: 'erpNumber' },
  { entity: 'Customer', field: 'erpCustomerNumber' },
];

/**
 * What the shop must be like for a sync to work, each a verdict: the custom fields for the ERP's
 * numbers, order states the server's order process knows, and a channel that keeps prices without
 * tax (the canonical list price is without tax).
 */
export function shopVerdicts(facts: ShopFacts, s: Pick<VendureSettings, 'orderStates'>): CheckResult[] {
  const out: CheckResult[] = [];
  const declared = new Map(
    facts.globalSettings.serverConfig.entityCustomFields.map((e) => [
      e.entityName,
      new Set(e.customFields.map((f) => f.name)),
    ]),
  );
  const missing = REQUIRED_CUSTOM_FIELDS.filter((r) => !declared.get(r.entity)?.has(r.field));
  out.push(
    missing.length
      ? {
          name: 'custom fields',
          ok: false,
          message: `the shop lacks the custom field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `${m.entity}.${m.field}`).join(', ')} (type string); declare them in the VendureConfig's customFields`,
        }
      : { name: 'custom fields', ok: true, message: 'Order.erpNumber and Customer.erpCustomerNumber exist' },
  );
  const known = new Set(facts.globalSettings.serverConfig.orderProcess.map((p) => p.name));
  const unknown = s.orderStates.filter((state) => !known.has(state));
  out.push(
    unknown.length
      ? {
          name: 'order states',
          ok: false,
          message: `the order process has no state ${unknown.join(', ')}; it has ${[...known].join(', ')}`,
        }
      : { name: 'order states', ok: true, message: `reads orders in ${s.orderStates.join(', ')}` },
  );
  const c = facts.channel;
  out.push(
    c.pricesIncludeTax
      ? {
          name: 'channel',
          ok: false,
          message: `channel ${c.code} keeps prices including tax; Ledgerlink writes list prices without tax`,
        }
      : {
          name: 'channel',
          ok: true,
          message: `channel ${c.code} sells in ${c.defaultCurrencyCode}, prices without tax`,
        },
  );
  return out;
}
