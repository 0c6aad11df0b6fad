import type { CatalogFlow } from './flow-definition.js';

/**
 * iSeller (a point of sale) and Accurate Online (accounting), as seed 002 describes. From iSeller:
 * each paid sale as a sales invoice (a refund as a sales return) with a sales receipt per payment
 * method, transfers between outlets as item transfers, stock takes as adjustments to the counted
 * quantity, and customers. From Accurate: its items (price and stock per outlet) and the goods it
 * received or transferred into an outlet, as iSeller stock. "Every synchronization must be done from
 * the very beginning": the moves go oldest first, a record waiting for an earlier one on the same
 * item and place that has not succeeded. The seed's Sync Mode is each flow's `syncMode` (realtime,
 * shift-close, scheduled with its `schedule`); "Use Id in customer data as the mapping" is the
 * customers flow's `idMapping: source` (on) or `target` (off: Accurate numbers every customer).
 */
export const isellerAccurateFlows: Readonly<Record<string, CatalogFlow>> = {
  'iseller-accurate.customers': {
    description: 'iSeller customers to Accurate customers (numbered by Accurate, or by their iSeller ID)',
    entity: 'customer',
    sourceConnector: 'iseller',
    targetConnector: 'accurate',
    ownedFields: ['name', 'email', 'addresses'],
    schedule: '*/15 * * * *',
  },
  'iseller-accurate.sales': {
    description:
      'paid iSeller orders to Accurate sales invoices (refunds to sales returns), the outlet as the warehouse and branch, totals to the rupiah',
    entity: 'invoice',
    sourceConnector: 'iseller',
    targetConnector: 'accurate',
    ownedFields: [],
    neverOverwrite: true,
    oldestFirst: true,
    dependencies: [
      // A walk-in sale names Accurate's own walk-in customer: nothing to sync first.
      { entity: 'customer', ids: 'walkIn = true ? [] : customerNumber' },
      // Items are Accurate's (they come to iSeller from there): Accurate is asked for them.
      { entity: 'product', ids: 'lines[sku].sku', targetKeys: true },
    ],
    schedule: '*/5 * * * *',
  },
  'iseller-accurate.payments': {
    description: 'the payments of paid iSeller orders to Accurate sales receipts, one per payment method',
    entity: 'payment',
    sourceConnector: 'iseller',
    targetConnector: 'accurate',
    ownedFields: [],
    neverOverwrite: true,
    oldestFirst: true,
    // A payment waits for its sale by oldest-first order (it names the sale's number, not its id).
    dependencies: [{ entity: 'customer', ids: 'walkIn = true ? [] : customerNumber' }],
    schedule: '*/5 * * * *',
  },
  'iseller-accurate.transfers': {
    description: 'iSeller transfers between outlets and the warehouse to Accurate item transfers',
    entity: 'stockTransfer',
    sourceConnector: 'iseller',
    targetConnector: 'accurate',
    ownedFields: [],
    neverOverwrite: true,
    oldestFirst: true,
    schedule: '*/5 * * * *',
  },
  'iseller-accurate.stock-counts': {
    description: 'iSeller stock takes to Accurate, the counted quantity per item and outlet',
    entity: 'stockCount',
    sourceConnector: 'iseller',
    targetConnector: 'accurate',
    ownedFields: [],
    neverOverwrite: true,
    oldestFirst: true,
    // A stock take counts what the day's sales and transfers left: those first.
    runsAfter: ['iseller-accurate.sales', 'iseller-accurate.transfers'],
    schedule: '*/5 * * * *',
  },
  'accurate-iseller.products': {
    description:
      'Accurate items to iSeller products: a new item with its stock per outlet, then its name and price (the till keeps its stock: its sales reach Accurate after it sold)',
    entity: 'product',
    sourceConnector: 'accurate',
    targetConnector: 'iseller',
    // Not the stock: Accurate's lags the till's by the sales not yet sent, and would undo them.
    ownedFields: ['name', 'listPrice'],
    ownsEchoes: true,
    schedule: '*/15 * * * *',
  },
  'accurate-iseller.purchases': {
    description:
      'goods received from suppliers and transfers between outlets (out, then in), entered in Accurate, to iSeller stock (in real time, whatever the transfer setting); transfers the till sent are its echoes, never sent back',
    entity: 'stockTransfer',
    sourceConnector: 'accurate',
    targetConnector: 'iseller',
    ownedFields: [],
    neverOverwrite: true,
    oldestFirst: true,
    schedule: '*/5 * * * *',
  },
};
