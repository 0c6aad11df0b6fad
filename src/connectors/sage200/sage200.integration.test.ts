import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import { startSage200Sandbox } from './sandbox/index.js';
import { connect } from './test-support.js';

/**
 * The shared suite reads customers, products and invoices, with every request and answer checked
 * against the published specs. Sage 200 is written only with CRM orders, create-only (a SOP order is
 * never changed from here), so the suite's "update only the owned field" does not apply; the order
 * writes are held to their own rules in sage200-rules.
 */
connectorContractSuite({
  name: 'sage200',
  readable: ['customer', 'product', 'invoice'],
  writable: [],
  async start(count) {
    const sb = await startSage200Sandbox({
      customers: count,
      products: count,
      invoices: count,
      manualRecords: false,
      conformance: true,
    });
    return {
      kit: sb.kit,
      // Without the manual's records there is no MISC: a generated product is the default product.
      connector: connect(sb, { defaultProduct: 'P00001' }),
      makeConnector: (o) => connect(sb, { defaultProduct: 'P00001', ...o }),
      close: () => sb.close(),
    };
  },
  sample: () => ({}),
  change: (_e, record) => ({ record, field: 'name' }),
  readBack: async () => ({}),
  unownedField: () => 'name',
  badCredentials: { clientSecret: 'wrong-secret' },
});
