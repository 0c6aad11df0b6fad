import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import { startQuickBooksSandbox } from './sandbox/index.js';
import { connect } from './test-support.js';

/**
 * The shared suite reads customers, products and invoices. QuickBooks is written create-only (an
 * existing customer or item is never touched, an invoice never changed), so the suite's "update only
 * the owned field" does not apply; the writes are held to their own rules in quickbooks-rules.
 */
connectorContractSuite({
  name: 'quickbooks',
  readable: ['customer', 'product', 'invoice'],
  writable: [],
  async start(count) {
    const sb = await startQuickBooksSandbox({
      customers: count,
      products: count,
      invoices: count,
      manualRecords: false,
      conformance: true,
    });
    return {
      kit: sb.kit,
      // Without the manual's records there is no MISC: a generated item is the default product.
      connector: connect(sb, { defaultProduct: 'ITEM0001' }),
      makeConnector: (o) => connect(sb, { defaultProduct: 'ITEM0001', ...o }),
      close: () => sb.close(),
    };
  },
  sample: () => ({}),
  change: (_e, record) => ({ record, field: 'name' }),
  readBack: async () => ({}),
  unownedField: () => 'name',
  badCredentials: { clientSecret: 'wrong-secret' },
});
