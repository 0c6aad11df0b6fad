import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { type AccurateSandbox, startAccurateSandbox } from '../../src/connectors/accurate/sandbox/index.js';
import { type IsellerSandbox, startIsellerSandbox } from '../../src/connectors/iseller/sandbox/index.js';
import type { StoredProduct } from '../../src/connectors/iseller/sandbox/store.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { type Service, startService } from '../../src/runtime/service.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

/**
 * Seed 002's shop for the Integration Data Check: iSeller and Accurate sandboxes over loopback, a
 * service on SQLite with every iseller-accurate flow and no schedule (only what a test or a screen
 * does moves anything), and the two faults the seed's screens show, each with its repair:
 *
 * - Accurate has no warehouse for Kemang (KMG is left out of the connection's warehouse map), so the
 *   transfer out TO-KMG-0001 fails and its transfer in TI-SNY-0001 waits for it; `mapKemang()` adds it.
 * - Accurate receives goods twice into Outlet BSD: RI-0101 (KOPI-250, which iSeller has) and RI-0102
 *   (CUP-12, which no iSeller product carries: "the product does not have an SKU");
 *   `addIsellerProduct('CUP-12')` repairs it.
 *
 * The receipts name BSD by its iSeller outlet code: the Accurate connector does not yet turn its
 * warehouse names back into outlet codes (a receipt into "Outlet BSD" fails as not an outlet_code).
 */
export const CHECK_FLOWS = [
  'iseller-accurate.customers',
  'iseller-accurate.sales',
  'iseller-accurate.payments',
  'iseller-accurate.transfers',
  'iseller-accurate.stock-counts',
  'accurate-iseller.products',
  'accurate-iseller.purchases',
] as const;

const WAREHOUSES_WITHOUT_KMG = 'SNY=Outlet Senayan,BSD=Outlet BSD,GDG=Gudang Utama';

export interface CheckEnvironment {
  iseller: IsellerSandbox;
  accurate: AccurateSandbox;
  ctx: Context;
  svc: Service;
  url: string;
  configPath: string;
  /** The flows' entries in the configuration file, as last written. */
  flowsInFile(): Record<string, Record<string, unknown>>;
  /** Accurate's two goods receipts, delivered to /hooks/accurate as Accurate's webhook would. */
  receiveGoods(): Promise<void>;
  /** The repair of the first fault: Kemang gets its Accurate warehouse. */
  mapKemang(): Promise<void>;
  /** The repair of the second: an iSeller product with the SKU. */
  addIsellerProduct(sku: string, name: string): void;
  close(): Promise<void>;
}

export async function startCheckEnvironment(): Promise<CheckEnvironment> {
  const iseller = await startIsellerSandbox({});
  const accurate = await startAccurateSandbox({});
  const db: TestDatabase = await createTestDatabase('sqlite');
  const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-check-'));
  const configPath = join(dir, 'ledgerlink.yaml');
  const fast = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5, schedule: null };
  writeFileSync(
    configPath,
    stringify({
      database: db.url,
      server: { host: '127.0.0.1', port: 0 },
      connections: {
        iseller: { connector: 'iseller', settings: iseller.settings() },
        accurate: {
          connector: 'accurate',
          settings: { ...accurate.settings(), warehouseMap: WAREHOUSES_WITHOUT_KMG, timeoutMs: 5000 },
        },
      },
      flows: Object.fromEntries(CHECK_FLOWS.map((f) => [f, { ...fast }])),
    }),
  );
  const ctx = await openContext({ configPath });
  const svc = await startService(ctx, ctx.config.server);
  return {
    iseller,
    accurate,
    ctx,
    svc,
    url: svc.url,
    configPath,
    flowsInFile: () => (parse(readFileSync(configPath, 'utf8')) as { flows: Record<string, never> }).flows,
    async receiveGoods() {
      const receipt = (number: string, itemNo: string, quantity: number) =>
        accurate.store.insert('receive-item', {
          number,
          receiveNumber: `SJ-${number}`,
          transDate: '05/01/2026',
          vendorNo: 'V-001',
          detailItem: [{ itemNo, quantity, itemUnitName: 'PCS', warehouseName: 'BSD' }],
        });
      const ids = [receipt('RI-0101', 'KOPI-250', 10).id, receipt('RI-0102', 'CUP-12', 6).id];
      const d = accurate.delivery('RECEIVE_ITEM', ids);
      const res = await fetch(`${svc.url}/hooks/accurate`, {
        method: 'POST',
        headers: { ...d.headers, 'content-type': 'application/json' },
        body: d.rawBody,
      });
      if (res.status >= 300) throw new Error(`the webhook was refused: ${res.status} ${await res.text()}`);
    },
    async mapKemang() {
      await svc.config.edit((doc) => {
        doc.setIn(
          ['connections', 'accurate', 'settings', 'warehouseMap'],
          `KMG=Outlet Kemang,${WAREHOUSES_WITHOUT_KMG}`,
        );
      });
    },
    addIsellerProduct(sku, name) {
      const p: StoredProduct = {
        product_id: randomUUID(),
        sku,
        name,
        price: 12000,
        unit_of_measurement: 'PCS',
        is_active: true,
        modified_date: new Date().toISOString(),
        stock: new Map(),
      };
      iseller.data.products.set(p.product_id, p);
    },
    async close() {
      await svc.stop();
      await ctx.close();
      await iseller.close();
      await accurate.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
