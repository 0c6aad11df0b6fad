import { defineConnector } from '../sdk/contract.js';
import { createQuickBooksDesktopConnector } from './connector.js';
import { quickbooksDesktopManifest } from './manifest.js';

export { QuickBooksDesktopConnector } from './connector.js';
export { quickbooksDesktopManifest } from './manifest.js';

/**
 * QuickBooks Desktop (Pro, Premier, Enterprise; US, UK, CA) through the QuickBooks Web Connector:
 * Ledgerlink serves the Web Connector's SOAP service and queues qbXML for it to collect.
 */
export const quickbooksDesktopConnector = defineConnector({
  manifest: quickbooksDesktopManifest,
  create: createQuickBooksDesktopConnector,
});
