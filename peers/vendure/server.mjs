// A real Vendure 3 shop for Ledgerlink's integration tests: SQLite in one file, the job queue in this
// process, bound to 127.0.0.1. The first start creates the schema and the shop's settings through
// Vendure's own populate API; later starts on the same directory reuse them.
//
//   VENDURE_PORT=3050 VENDURE_DIR=/tmp/vendure-peer node server.mjs
//
// Settings come from the environment, not arguments: bcrypt's loader (node-pre-gyp) reads
// process.argv and takes a --dir of ours for its own.
//
// It prints one JSON line {"ready": true, ...} when it serves, and stops on SIGTERM, SIGINT or when
// its standard input closes (the process that started it went away), so it is never left behind.
process.env.VENDURE_DISABLE_TELEMETRY ??= 'true';

import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  bootstrap,
  DefaultLogger,
  dummyPaymentHandler,
  JobQueueService,
  LanguageCode,
  LogLevel,
} from '@vendure/core';
import { populate } from '@vendure/core/cli/index.js';

export const SUPERADMIN = { username: 'superadmin', password: 'ledgerlink-peer' };

const port = Number(process.env.VENDURE_PORT ?? 3050);
const dir = resolve(process.env.VENDURE_DIR ?? join(import.meta.dirname, 'data'));
mkdirSync(dir, { recursive: true });
const database = join(dir, 'vendure.sqlite');
const firstStart = !existsSync(database);

/** The shop's settings: prices without tax, one zone with a 20 % rate, fixed-price shipping. */
const initialData = {
  defaultLanguage: LanguageCode.en,
  defaultZone: 'VAT',
  // Every country in the one zone, so any address the tests use gets the same rate.
  countries: [
    { name: 'United States', code: 'US', zone: 'VAT' },
    { name: 'United Kingdom', code: 'GB', zone: 'VAT' },
    { name: 'Germany', code: 'DE', zone: 'VAT' },
    { name: 'France', code: 'FR', zone: 'VAT' },
  ],
  // Vendure names the rate "<name> <zone>": "Standard VAT".
  taxRates: [{ name: 'Standard', percentage: 20 }],
  // 5.00 in minor units, taxed at the standard rate; created with the manual fulfillment handler.
  shippingMethods: [{ name: 'Standard Shipping', price: 500, taxRate: 20 }],
  // Authorizes without settling, like a card: the money is taken when someone settles it.
  paymentMethods: [
    {
      name: 'Offline Payment',
      handler: { code: dummyPaymentHandler.code, arguments: [{ name: 'automaticSettle', value: 'false' }] },
    },
  ],
  collections: [],
};

const config = {
  apiOptions: {
    hostname: '127.0.0.1',
    port,
    adminApiPath: 'admin-api',
    shopApiPath: 'shop-api',
    adminApiPlayground: false,
    shopApiPlayground: false,
  },
  authOptions: {
    // Ledgerlink sends the session token as a bearer token (vendure-auth-token header).
    tokenMethod: ['bearer', 'cookie'],
    superadminCredentials: { identifier: SUPERADMIN.username, password: SUPERADMIN.password },
    cookieOptions: { secret: 'ledgerlink-vendure-peer' },
    requireVerification: false,
  },
  dbConnectionOptions: {
    type: 'better-sqlite3',
    database,
    synchronize: firstStart,
    logging: false,
  },
  paymentOptions: { paymentMethodHandlers: [dummyPaymentHandler] },
  customFields: {
    // The ERP's number of a web order, written back by Ledgerlink.
    Order: [{ name: 'erpNumber', type: 'string', nullable: true }],
    // The ERP's account number of a customer Ledgerlink created.
    Customer: [{ name: 'erpCustomerNumber', type: 'string', nullable: true }],
  },
  logger: new DefaultLogger({ level: LogLevel.Warn }),
  plugins: [],
};

const started = performance.now();
const app = firstStart ? await populate(() => bootstrap(config), initialData) : await bootstrap(config);
// No separate worker: a second SQLite connection in another process would lock the database.
await app.get(JobQueueService).start();
console.log(
  JSON.stringify({
    ready: true,
    url: `http://127.0.0.1:${port}/admin-api`,
    firstStart,
    ms: Math.round(performance.now() - started),
  }),
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await app.close();
  } finally {
    process.exit(0);
  }
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
