import { describe, expect, it } from 'vitest';
import type { Flow } from './flow.js';
import { dependencyOrder } from './flow-order.js';

const flow = (name: string, entity: Flow['entity'], deps: Flow['dependencies'] = []): Flow =>
  ({
    name,
    entity,
    source: name.split('-')[0],
    target: name.split('-')[1]?.split('.')[0],
    dependencies: deps,
  }) as Flow;

describe('the order a batch runs flows in', () => {
  it('customers and products before the invoices that refer to them, whatever the configured order', () => {
    const invoices = flow('qb-crm.invoices', 'invoice', [
      { entity: 'customer', ids: 'customerNumber' },
      { entity: 'product', ids: 'lines.sku' },
    ]);
    const order = dependencyOrder([
      invoices,
      flow('qb-crm.products', 'product'),
      flow('qb-crm.customers', 'customer'),
    ]);
    expect(order.map((f) => f.name)).toEqual(['qb-crm.customers', 'qb-crm.products', 'qb-crm.invoices']);
  });

  it('a dependency is met by the flow of that entity in either direction between the same two systems', () => {
    const orders = flow('crm-qb.orders', 'salesOrder', [{ entity: 'customer', ids: 'customerNumber' }]);
    const order = dependencyOrder([
      orders,
      flow('other-qb.customers', 'customer'),
      flow('crm-qb.customers', 'customer'),
    ]);
    expect(order.map((f) => f.name)).toEqual(['crm-qb.customers', 'crm-qb.orders', 'other-qb.customers']);
  });

  it('a cycle is broken where it is met instead of looping', () => {
    const a = flow('a-b.orders', 'salesOrder', [{ entity: 'invoice', ids: 'x' }]);
    const b = flow('a-b.invoices', 'invoice', [{ entity: 'salesOrder', ids: 'y' }]);
    expect(dependencyOrder([a, b]).map((f) => f.name)).toEqual(['a-b.invoices', 'a-b.orders']);
  });

  it('a flow runs after the flows it runsAfter: orders uploaded to the accounts come back as invoices in the same batch', () => {
    const invoices = { ...flow('qb-crm.invoices', 'invoice'), runsAfter: ['crm-qb.orders'] } as Flow;
    const orders = flow('crm-qb.orders', 'salesOrder', [{ entity: 'customer', ids: 'customerNumber' }]);
    const order = dependencyOrder([flow('qb-crm.customers', 'customer'), invoices, orders]);
    expect(order.map((f) => f.name)).toEqual(['qb-crm.customers', 'crm-qb.orders', 'qb-crm.invoices']);
  });
});
