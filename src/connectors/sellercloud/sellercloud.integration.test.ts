import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import { type SellerCloudSandbox, startSellerCloudSandbox } from './sandbox/index.js';
import { connect } from './test-support.js';

let sb: SellerCloudSandbox | undefined;

/**
 * The shared suite over loopback: orders, customers and products (with stock per warehouse) read;
 * customers written. Orders, shipments and payments are written under their own rules in
 * sellercloud-rules.
 */
connectorContractSuite({
  name: 'sellercloud',
  readable: ['salesOrder', 'customer', 'product'],
  writable: ['customer'],
  async start(count) {
    sb = await startSellerCloudSandbox({ count });
    const s = sb;
    return {
      kit: s.kit,
      connector: connect(s),
      makeConnector: (o) => connect(s, o),
      close: () => s.close(),
    };
  },
  sample(_entity, n) {
    const stamp = Date.now();
    return {
      number: `C-${n}-${stamp}`,
      name: `Robin Newcomer${n}`,
      email: `new${n}.${stamp}@example.com`,
      type: 'B2C',
      currency: 'USD',
      contacts: [{ firstName: 'Robin', lastName: `Newcomer${n}`, isPrimary: true }],
      updatedAt: '2025-03-14T10:00:00Z',
    };
  },
  change: (_entity, record) => ({
    record: { ...record, email: `changed.${Date.now()}@example.com` },
    field: 'email',
  }),
  async readBack(_entity, _c, targetId) {
    const c = sb!.data.customers.get(Number(targetId))!;
    return { email: c.Email, name: [c.FirstName, c.LastName].join(' ') };
  },
  unownedField: () => 'name',
  badCredentials: { password: 'wrong-password' },
});
