import { sandboxSettings as accurateSettings, startAccurateSandbox } from './accurate/sandbox/index.js';
import {
  SANDBOX_CREDENTIALS as ACUMATICA_CREDENTIALS,
  type AcumaticaSnapshot,
  startAcumaticaSandbox,
} from './acumatica/sandbox/index.js';
import { DYNAMICS_SANDBOX, startDynamicsSandbox } from './dynamics/sandbox/index.js';
import { sandboxSettings as isellerSettings, startIsellerSandbox } from './iseller/sandbox/index.js';
import { MAGENTO_SANDBOX, type MagentoSnapshot, startMagentoSandbox } from './magento/sandbox/index.js';
import { sandboxSettings as quickbooksSettings, startQuickBooksSandbox } from './quickbooks/sandbox/index.js';
import { QBD_SANDBOX, startQuickBooksDesktopSandbox } from './quickbooks-desktop/sandbox/index.js';
import { sandboxSettings as sage50Settings, startSage50Sandbox } from './sage50/sandbox/index.js';
import { sandboxSettings as sage200Settings, startSage200Sandbox } from './sage200/sandbox/index.js';
import type { SandboxKit, SandboxOptions } from './sdk/sandbox-kit.js';
import {
  sandboxSettings as sellercloudSettings,
  startSellerCloudSandbox,
} from './sellercloud/sandbox/index.js';

export interface RunningSandbox {
  url: string;
  /** The Entra ID authority a connection to the sandbox uses (Dynamics 365). */
  authority?: string;
  kit: SandboxKit;
  /** The PEM a connection verifies the sandbox's signed webhooks with (Magento). */
  webhookPublicKey?: string;
  close(): Promise<void>;
}

export interface SandboxStart extends SandboxOptions {
  customers?: number;
  products?: number;
  defects?: boolean;
  /** Acumatica: a session idle this long ends (default 60 minutes). */
  sessionIdleMs?: number;
  /**
   * QuickBooks Desktop: the SOAP address its Web Connector polls (Ledgerlink's /qbwc/<connection>);
   * without it, point it later (the sandbox's `pointAt`, or POST /_sandbox/web-connector {url}).
   */
  webConnectorUrl?: string;
  /** What a sandbox of the same system held (its `snapshot()`), instead of seeded data. */
  restore?: AcumaticaSnapshot | MagentoSnapshot;
}

/** The header value the Acumatica sandbox's push destinations carry, and its connection expects. */
export const SANDBOX_PUSH_SECRET = 'sandbox-push-secret';

/**
 * Value maps between the two sandboxes' reference data: Acumatica's ship vias, payment methods and
 * tax ids against Magento's shipping methods, payment methods and tax rate codes. FEDEX2DAY is left
 * out on purpose, so the demo and the tests meet an unmapped shipping method.
 */
export const SANDBOX_VALUE_MAPS: Record<string, Array<Record<string, string>>> = {
  shippingMethod: [
    { acumatica: 'FLATRATE', magento: 'flatrate_flatrate' },
    { acumatica: 'UPSGROUND', magento: 'ups_GND' },
    { acumatica: 'WILLCALL', magento: 'instore_pickup' },
  ],
  paymentMethod: [
    { acumatica: 'CHECK', magento: 'checkmo' },
    { acumatica: 'CCARD', magento: 'braintree' },
    { acumatica: 'INVOICE', magento: 'purchaseorder' },
    { acumatica: 'CASH', magento: 'cashondelivery' },
  ],
  orderType: [{ magento: 'web', acumatica: 'SO' }],
  taxClass: [
    { acumatica: 'NYSTATE', magento: 'US-NY-*-Rate 1' },
    { acumatica: 'CASTATE', magento: 'US-CA-*-Rate 1' },
    { acumatica: 'VAT20', magento: 'VAT20' },
    { acumatica: 'VAT10', magento: 'VAT10' },
  ],
};

/** Every sandbox this build ships, with the settings a connection needs to reach it. */
export const sandboxRegistry: Record<
  string,
  {
    start(o: SandboxStart): Promise<RunningSandbox>;
    settings(
      sandbox: Pick<RunningSandbox, 'url' | 'webhookPublicKey' | 'authority'>,
    ): Record<string, unknown>;
    defaultPort: number;
  }
> = {
  acumatica: {
    start: ({ restore, ...o }) =>
      startAcumaticaSandbox({ ...o, ...(restore?.system === 'acumatica' ? { restore } : {}) }),
    settings: ({ url }) => ({
      baseUrl: url,
      username: ACUMATICA_CREDENTIALS.username,
      password: ACUMATICA_CREDENTIALS.password,
      company: ACUMATICA_CREDENTIALS.company,
      webhookHeaderValue: SANDBOX_PUSH_SECRET,
    }),
    defaultPort: 8081,
  },
  magento: {
    start: ({ restore, ...o }) =>
      startMagentoSandbox({ ...o, ...(restore?.system === 'magento' ? { restore } : {}) }),
    settings: ({ url, webhookPublicKey }) => ({
      baseUrl: url,
      authMode: 'token',
      accessToken: MAGENTO_SANDBOX.accessToken,
      ...(webhookPublicKey ? { webhookPublicKey } : {}),
    }),
    defaultPort: 8082,
  },
  dynamics: {
    // Dynamics keeps no snapshot to restore from: it always starts from the manual's seed.
    start: ({ restore: _restore, ...o }) => startDynamicsSandbox(o),
    settings: ({ url, authority }) => ({
      url,
      tenantId: DYNAMICS_SANDBOX.tenantId,
      clientId: DYNAMICS_SANDBOX.clientId,
      clientSecret: DYNAMICS_SANDBOX.clientSecret,
      authority: authority ?? `${url}/${DYNAMICS_SANDBOX.tenantId}`,
      invoiceNumberField: 'new_invoicenumber',
      webhookHeaderName: DYNAMICS_SANDBOX.webhookHeaderName,
      webhookKey: DYNAMICS_SANDBOX.webhookKey,
    }),
    defaultPort: 8083,
  },
  quickbooks: {
    start: ({ restore: _restore, customers, products, ...o }) =>
      startQuickBooksSandbox({
        ...o,
        ...(customers !== undefined ? { customers } : {}),
        ...(products !== undefined ? { products } : {}),
      }),
    settings: ({ url }) => quickbooksSettings(url),
    defaultPort: 8084,
  },
  // The sandbox plays the Web Connector beside a company file: a client of Ledgerlink, with a small
  // control server (its url) to point it at Ledgerlink's /qbwc/<connection> once that is listening.
  'quickbooks-desktop': {
    start: ({ restore: _restore, ...o }) => startQuickBooksDesktopSandbox(o),
    settings: () => ({
      username: QBD_SANDBOX.username,
      password: QBD_SANDBOX.password,
      companyFile: QBD_SANDBOX.companyFile,
      homeCurrency: 'GBP',
      country: 'GB',
      runEveryMinutes: 1,
    }),
    defaultPort: 8085,
  },
  // Seeded with the manual's records (A1D001, ABS001; VID003, TAPE002, MISC; A1D001's invoices).
  sage200: {
    start: ({ restore: _restore, customers, products, ...o }) =>
      startSage200Sandbox({
        ...o,
        ...(customers !== undefined ? { customers } : {}),
        ...(products !== undefined ? { products } : {}),
      }),
    settings: ({ url }) => sage200Settings(url),
    defaultPort: 8086,
  },
  // The seed's shop: outlets KMG, SNY, BSD and warehouse GDG, a day of sales, a refund, transfers, a stock take.
  iseller: {
    start: ({
      restore: _restore,
      customers: _c,
      products: _p,
      defects: _d,
      sessionIdleMs: _s,
      webConnectorUrl: _w,
      ...o
    }) => startIsellerSandbox(o),
    settings: ({ url }) => isellerSettings(url),
    defaultPort: 8088,
  },
  // The manual's Sage 50 data in a SQLite file behind unixODBC, with a small control server.
  sage50: {
    start: ({
      restore: _restore,
      customers: _c,
      products: _p,
      defects: _d,
      sessionIdleMs: _s,
      webConnectorUrl: _w,
      ...o
    }) => startSage50Sandbox(o),
    settings: ({ url }) => sage50Settings(url),
    defaultPort: 8087,
  },
  // The shop of issue 17: three outlets and Gudang Utama, branch Jakarta, PPN 11 %; 8 calls a second.
  accurate: {
    start: ({
      restore: _restore,
      customers,
      products,
      defects: _d,
      sessionIdleMs: _s,
      webConnectorUrl: _w,
      ...o
    }) =>
      startAccurateSandbox({
        ...o,
        ...(customers !== undefined ? { customers } : {}),
        ...(products !== undefined ? { items: products } : {}),
      }),
    settings: ({ url }) => accurateSettings(url),
    defaultPort: 8089,
  },
  // Issue 18's team server: customers, products with stock in two warehouses, orders with packages.
  sellercloud: {
    start: ({
      restore: _restore,
      customers,
      defects: _d,
      sessionIdleMs: _s,
      webConnectorUrl: _w,
      products: _p,
      ...o
    }) => startSellerCloudSandbox({ ...o, ...(customers !== undefined ? { count: customers } : {}) }),
    settings: ({ url }) => sellercloudSettings(url),
    defaultPort: 8090,
  },
};
