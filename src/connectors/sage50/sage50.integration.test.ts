import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import { connect, hostedFor } from './test-support.js';

/**
 * The shared suite reads customers, products and invoices through unixODBC from the hosted schema
 * (SQLite) filled with generated records. Sage 50 is written only with CRM orders, create-only (an
 * invoice is never changed from here), so the suite's "update only the owned field" does not apply;
 * the order writes are held to their own rules in sage50-rules.
 */
connectorContractSuite({
  name: 'sage50',
  readable: ['customer', 'product', 'invoice'],
  writable: [],
  async start(count) {
    const h = await hostedFor('sqlite', { generated: count });
    // Without the manual's records there is no MISC: a generated product is the default product.
    return {
      connector: connect(h, { defaultProduct: 'P00001' }),
      makeConnector: (o) => connect(h, { defaultProduct: 'P00001', ...o }),
      close: async () => {
        await h.close();
        await h.drop();
      },
    };
  },
  sample: () => ({}),
  change: (_e, record) => ({ record, field: 'name' }),
  readBack: async () => ({}),
  unownedField: () => 'name',
  // A data file that cannot be opened: what Sage's driver answers to a wrong folder, user or password.
  badCredentials: { connectionString: 'Driver=SQLite3;Database=/nonexistent/ACCDATA/none.db' },
});
