import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import type { Connector } from '../sdk/contract.js';
import type { AccurateConnector } from './connector.js';
import { startAccurateSandbox } from './sandbox/index.js';
import { connect } from './test-support.js';

/**
 * The shared suite reads customers, products (items with stock) and stock moves (item transfers), and
 * writes customers, over loopback with every request and answer checked against the published spec
 * and Accurate's 8 calls a second enforced. Sales, payments, transfers and stock takes are created
 * only (never updated from here): accurate-rules holds them to their own rules.
 */
connectorContractSuite({
  name: 'accurate',
  readable: ['customer', 'product', 'stockTransfer'],
  writable: ['customer'],
  async start(count) {
    const sb = await startAccurateSandbox({
      shop: false,
      customers: count,
      items: count,
      transfers: count,
      conformance: true,
    });
    return {
      kit: sb.kit,
      connector: connect(sb),
      makeConnector: (o) => connect(sb, o),
      close: () => sb.close(),
    };
  },
  sample: (_e, n) => ({
    number: `ISL-${Date.now()}-${n}`,
    name: `Mark Zuckeberg ${n}`,
    email: `mark${n}@example.co.id`,
    currency: 'IDR',
    updatedAt: '2026-01-05T10:00:00+07:00',
  }),
  change: (_e, record) => ({
    record: { ...record, email: `changed${Date.now()}@example.co.id` },
    field: 'email',
  }),
  async readBack(_e, connector: Connector, targetId) {
    const c = connector as AccurateConnector;
    const found = await c.lookup('customer', [`no:${targetId}`]);
    const snap = found.get(`no:${targetId}`)?.snapshot as { id: number } | undefined;
    const rec = snap ? await c.client.detail<Record<string, unknown>>('customer', snap.id) : undefined;
    return { email: rec?.email, name: rec?.name };
  },
  unownedField: () => 'name',
  badCredentials: { clientSecret: 'wrong-secret' },
});
