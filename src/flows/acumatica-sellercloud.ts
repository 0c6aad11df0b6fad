import type { CatalogFlow } from './flow-definition.js';
import { BY_SHOP_ORDERS, CONFIRMED_SHIPMENT, RELEASED_INVOICE } from './rules/erp-to-shop.js';
import { ORDER_DEPENDENCIES, ORDER_MAPS } from './rules/sales-documents.js';

/**
 * Acumatica (the ERP) and SellerCloud (the marketplace hub), as seed 000's batch processes describe:
 * customers, shipments and invoices from Acumatica; and SellerCloud's orders into Acumatica, so the
 * shipments and invoices have an order to attach to.
 */
export const acumaticaSellercloudFlows: Readonly<Record<string, CatalogFlow>> = {
  'acumatica-sellercloud.customers': {
    description:
      "Acumatica customers to SellerCloud customers, matched by e-mail (seed 000's Customer batch: by date, by customer classes, by specific customer)",
    entity: 'customer',
    sourceConnector: 'acumatica',
    targetConnector: 'sellercloud',
    // The ERP keeps the name and whether the customer is a business; the e-mail is the key.
    ownedFields: ['name', 'type'],
    ownsEchoes: true,
    schedule: '*/15 * * * *',
  },
  'acumatica-sellercloud.shipments': {
    description:
      "Confirmed Acumatica shipments to the SellerCloud orders they came from: tracking per package, carrier, ship date, shipped (seed 000's Shipment batch)",
    entity: 'shipment',
    sourceConnector: 'acumatica',
    targetConnector: 'sellercloud',
    // A shipment's tracking numbers may grow (a package added); each package is written once.
    ownedFields: ['trackingNumbers'],
    conditions: [CONFIRMED_SHIPMENT],
    dependencies: BY_SHOP_ORDERS,
    valueMaps: { shipVia: 'shippingMethod' },
    schedule: '*/5 * * * *',
  },
  'acumatica-sellercloud.invoices': {
    description:
      "Released Acumatica invoices noted on the SellerCloud orders they bill, with their payment state (seed 000's Invoice batch)",
    entity: 'invoice',
    sourceConnector: 'acumatica',
    targetConnector: 'sellercloud',
    // The invoice's state as it is paid: each change is noted on the order once.
    ownedFields: ['status', 'balance'],
    conditions: [RELEASED_INVOICE],
    dependencies: BY_SHOP_ORDERS,
    schedule: '*/5 * * * *',
  },
  'sellercloud-acumatica.orders': {
    description:
      'SellerCloud orders to Acumatica sales orders (customer and products first), keeping the channel and its order number',
    entity: 'salesOrder',
    sourceConnector: 'sellercloud',
    targetConnector: 'acumatica',
    ownedFields: [],
    dependencies: ORDER_DEPENDENCIES,
    valueMaps: { ...ORDER_MAPS, orderType: 'orderType' },
    schedule: '*/5 * * * *',
  },
  'sellercloud-acumatica.customers': {
    description:
      'SellerCloud customers an order needs, created in Acumatica first; Acumatica stays the master of customers it knows',
    entity: 'customer',
    sourceConnector: 'sellercloud',
    targetConnector: 'acumatica',
    ownedFields: [],
  },
  'sellercloud-acumatica.products': {
    description: 'SellerCloud products an order needs that Acumatica lacks, created as stock items',
    entity: 'product',
    sourceConnector: 'sellercloud',
    targetConnector: 'acumatica',
    ownedFields: [],
  },
};
