import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import type { Connector } from '../sdk/contract.js';
import { type IsellerSandbox, startIsellerSandbox } from './sandbox/index.js';
import { connect } from './test-support.js';

let sb: IsellerSandbox | undefined;

/**
 * The shared suite over loopback: sales (invoices, payments), transfers, stock takes, products and
 * customers read; products and customers written. Goods received are written create-only and held to
 * their own rules in iseller-rules.
 */
connectorContractSuite({
  name: 'iseller',
  readable: ['invoice', 'payment', 'stockTransfer', 'stockCount', 'product', 'customer'],
  writable: ['product', 'customer'],
  async start(count) {
    sb = await startIsellerSandbox({ shop: false, count });
    const s = sb;
    return {
      kit: s.kit,
      connector: connect(s),
      makeConnector: (o) => connect(s, o),
      close: () => s.close(),
    };
  },
  sample(entity, n) {
    const at = '2025-03-14T10:00:00+07:00';
    if (entity === 'product')
      return {
        sku: `NEW-${n}-${Date.now()}`,
        name: `Produk baru ${n}`,
        description: 'dari Accurate',
        listPrice: { amount: '25000', currency: 'IDR' },
        unit: 'PCS',
        stock: [{ warehouse: 'KMG', onHand: '7' }],
        updatedAt: at,
      };
    return {
      number: `CUST-${n}-${Date.now()}`,
      name: `Pelanggan Baru${n}`,
      email: `baru${n}@example.com`,
      class: 'Retail',
      currency: 'IDR',
      contacts: [{ firstName: 'Pelanggan', lastName: `Baru${n}`, isPrimary: true }],
      updatedAt: at,
    };
  },
  change: (entity, record) =>
    entity === 'product'
      ? { record: { ...record, listPrice: { amount: '27500', currency: 'IDR' } }, field: 'listPrice' }
      : { record: { ...record, email: 'changed@example.com' }, field: 'email' },
  async readBack(entity, _c: Connector, targetId) {
    const data = sb!.data;
    if (entity === 'product') {
      const p = data.products.get(targetId)!;
      return { listPrice: { amount: String(p.price), currency: 'IDR' }, description: p.description };
    }
    const c = data.customers.get(targetId)!;
    return { email: c.email, class: c.customer_group };
  },
  unownedField: (entity) => (entity === 'product' ? 'description' : 'class'),
  badCredentials: { clientSecret: 'wrong-secret' },
});
