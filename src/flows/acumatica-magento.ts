import type { CatalogFlow } from './flow-definition.js';
import { BY_ORDERS, CONFIRMED_SHIPMENT, RELEASED_INVOICE } from './rules/erp-to-shop.js';
import { ORDER_DEPENDENCIES, ORDER_MAPS } from './rules/sales-documents.js';

/** Acumatica (the ERP) and Magento (the web shop), both ways, as seed 000 describes. */
export const acumaticaMagentoFlows: Readonly<Record<string, CatalogFlow>> = {
  'acumatica-magento.customers': {
    description: 'Acumatica customers to Magento customers, matched by e-mail and website',
    entity: 'customer',
    sourceConnector: 'acumatica',
    targetConnector: 'magento',
    // The seed's minimal update: credit limit and on-hold status; names and addresses are set on create only.
    ownedFields: ['creditLimit', 'onHold'],
    // The ERP is the master of this data, also for records the shop created first.
    ownsEchoes: true,
    schedule: '*/15 * * * *',
  },
  'acumatica-magento.products': {
    description: 'Acumatica stock items to Magento products (price, cost, stock), matched by SKU',
    entity: 'product',
    sourceConnector: 'acumatica',
    targetConnector: 'magento',
    ownedFields: ['listPrice', 'standardCost', 'stock'],
    // The ERP is the master of this data, also for records the shop created first.
    ownsEchoes: true,
    schedule: '*/15 * * * *',
  },
  'magento-acumatica.customers': {
    description:
      'Magento customers who ordered to Acumatica customers, created when an order needs them; Acumatica stays the master of customers it knows',
    entity: 'customer',
    sourceConnector: 'magento',
    targetConnector: 'acumatica',
    ownedFields: [],
  },
  'magento-acumatica.products': {
    description: 'Magento products an order needs that Acumatica lacks, created as stock items',
    entity: 'product',
    sourceConnector: 'magento',
    targetConnector: 'acumatica',
    ownedFields: [],
  },
  'magento-acumatica.orders': {
    description:
      'Magento orders to Acumatica sales orders (customer and products first); the Acumatica number goes back to Magento; later, a cancellation or hold and the money captured and refunded reach the sales order',
    entity: 'salesOrder',
    sourceConnector: 'magento',
    targetConnector: 'acumatica',
    // The order is written once; what happens to it afterwards is owned: its lifecycle (cancelled,
    // held, released, refunded in full) and the money captured and refunded, each acted on once by the
    // per-field diff. The Acumatica connection's settings say what a cancellation does.
    ownedFields: ['lifecycle', 'paidTotal', 'refundedTotal'],
    dependencies: ORDER_DEPENDENCIES,
    valueMaps: { ...ORDER_MAPS, orderType: 'orderType' },
    writeBack: 'externalNumber',
    schedule: '*/5 * * * *',
  },
  'acumatica-magento.orders': {
    description:
      'Acumatica sales orders to Magento orders when any sync preference holds; the Magento number goes back to Acumatica',
    entity: 'salesOrder',
    sourceConnector: 'acumatica',
    targetConnector: 'magento',
    ownedFields: [],
    neverOverwrite: true,
    // The seed's A→M order sync preferences: any of them lets an order through.
    conditions: [
      {
        name: 'unpaid balance is 0.00',
        expression: '$exists(unpaidBalance) and $number(unpaidBalance.amount) = 0',
        explain: '"the unpaid balance is " & unpaidBalance.amount & " " & unpaidBalance.currency',
      },
      {
        name: 'status is Completed',
        expression: 'status = "Completed"',
        explain: '"the status is " & status',
      },
      {
        name: 'picked up by the customer (ship via WILLCALL)',
        expression: 'shipVia = "WILLCALL"',
        explain: '"it ships via " & (shipVia ? shipVia : "no shipping method")',
      },
    ],
    dependencies: ORDER_DEPENDENCIES,
    valueMaps: ORDER_MAPS,
    writeBack: 'externalNumber',
    schedule: '*/5 * * * *',
  },
  'acumatica-magento.shipments': {
    description: 'Confirmed Acumatica shipments to Magento shipments with carrier and tracking numbers',
    entity: 'shipment',
    sourceConnector: 'acumatica',
    targetConnector: 'magento',
    ownedFields: [],
    neverOverwrite: true,
    conditions: [CONFIRMED_SHIPMENT],
    dependencies: BY_ORDERS,
    valueMaps: { shipVia: 'shippingMethod' },
    schedule: '*/5 * * * *',
  },
  'acumatica-magento.invoices': {
    description: 'Released Acumatica invoices to Magento invoices (never overwritten), moving the order on',
    entity: 'invoice',
    sourceConnector: 'acumatica',
    targetConnector: 'magento',
    ownedFields: [],
    neverOverwrite: true,
    conditions: [RELEASED_INVOICE],
    dependencies: BY_ORDERS,
    schedule: '*/5 * * * *',
  },
  'acumatica-magento.payments': {
    description: 'Payments applied in Acumatica, noted on the Magento orders they pay',
    entity: 'payment',
    sourceConnector: 'acumatica',
    targetConnector: 'magento',
    ownedFields: [],
    neverOverwrite: true,
    conditions: [
      {
        name: 'released and applied to an order or an invoice',
        expression: '$count(applications) > 0 and status in ["Open", "Closed"]',
        explain: '"the payment is " & status & " and applied to " & $count(applications) & " documents"',
      },
    ],
    dependencies: [
      { entity: 'salesOrder', ids: 'applications[documentType = "order"].documentNumber' },
      { entity: 'invoice', ids: 'applications[documentType = "invoice"].documentNumber' },
    ],
    schedule: '*/5 * * * *',
  },
};
