import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import {
  type AcumaticaSandbox,
  startAcumaticaSandbox,
} from '../../src/connectors/acumatica/sandbox/index.js';
import { type MagentoSandbox, startMagentoSandbox } from '../../src/connectors/magento/sandbox/index.js';
import { SANDBOX_PUSH_SECRET, SANDBOX_VALUE_MAPS, sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { type Service, startService } from '../../src/runtime/service.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export const ORDER_FLOWS = [
  'acumatica-magento.customers',
  'acumatica-magento.products',
  'magento-acumatica.customers',
  'magento-acumatica.products',
  'magento-acumatica.orders',
  'acumatica-magento.orders',
  'acumatica-magento.shipments',
  'acumatica-magento.invoices',
  'acumatica-magento.payments',
] as const;

export interface OrderEnvironment {
  acumatica: AcumaticaSandbox;
  magento: MagentoSandbox;
  db: TestDatabase;
  configPath: string;
  ctx: Context;
  svc: Service;
  /** Rewrites the configuration (flow settings, value maps) and restarts Ledgerlink on the same port. */
  reconfigure(patch: ConfigPatch): Promise<void>;
  /** Until the probe holds (webhooks and jobs work in the background). */
  until(probe: () => Promise<boolean> | boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface ConfigPatch {
  flows?: Record<string, Record<string, unknown>>;
  /** Settings laid over each connection's. */
  connections?: Record<string, Record<string, unknown>>;
  valueMaps?: Record<string, Array<Record<string, string>>>;
  /** Whether the sandboxes push their changes to Ledgerlink's webhook intake (default true). */
  webhooks?: boolean;
  /** The configuration's `alerts` section (channels, reminder interval). */
  alerts?: Record<string, unknown>;
}

/**
 * Both sandboxes (every exchange checked against the published specs), a fresh store, every
 * order-to-cash flow without schedules (the tests trigger them), the sandboxes' value maps, and
 * Ledgerlink serving on loopback with the sandboxes' push notifications and webhooks pointed at it.
 */
export async function startOrderEnvironment(opts: {
  customers: number;
  products: number;
  dialect?: 'sqlite' | 'postgres';
  seed?: number;
  /** Shop sign-ups and shop-only products, which Acumatica does not know yet. */
  magentoCustomers?: number;
  magentoProducts?: number;
  patch?: ConfigPatch;
}): Promise<OrderEnvironment> {
  const acumatica = await startAcumaticaSandbox({
    customers: opts.customers,
    products: opts.products,
    conformance: true,
    seed: opts.seed ?? 7,
  });
  const magento = await startMagentoSandbox({
    conformance: true,
    customers: opts.magentoCustomers ?? 0,
    products: opts.magentoProducts ?? 0,
  });
  const db = await createTestDatabase(opts.dialect ?? 'sqlite');
  const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-o2c-'));
  const configPath = join(dir, 'ledgerlink.yaml');
  let patch: ConfigPatch = opts.patch ?? {};
  let port = 0;

  const write = () => {
    const fast = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5, overlapMinutes: 1, schedule: null };
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        server: { host: '127.0.0.1', port },
        connections: {
          acumatica: {
            connector: 'acumatica',
            settings: {
              ...sandboxRegistry.acumatica!.settings(acumatica),
              timeoutMs: 5000,
              ...patch.connections?.acumatica,
            },
          },
          magento: {
            connector: 'magento',
            settings: {
              ...sandboxRegistry.magento!.settings(magento),
              timeoutMs: 5000,
              ...patch.connections?.magento,
            },
          },
        },
        flows: Object.fromEntries(ORDER_FLOWS.map((f) => [f, { ...fast, ...patch.flows?.[f] }])),
        valueMaps: patch.valueMaps ?? SANDBOX_VALUE_MAPS,
        ...(patch.alerts ? { alerts: patch.alerts } : {}),
      }),
    );
  };

  const start = async () => {
    write();
    const ctx = await openContext({ configPath });
    const svc = await startService(ctx, ctx.config.server);
    port = Number(new URL(svc.url).port);
    return { ctx, svc };
  };

  const env = { acumatica, magento, db, configPath } as OrderEnvironment;
  Object.assign(env, await start());
  if (patch.webhooks !== false) {
    acumatica.addPushDestination({
      url: `${env.svc.url}/hooks/acumatica`,
      headerName: 'X-Ledgerlink-Token',
      headerValue: SANDBOX_PUSH_SECRET,
    });
    magento.addWebhook({ url: `${env.svc.url}/hooks/magento` });
  }

  env.reconfigure = async (next) => {
    patch = { ...patch, ...next };
    await env.svc.stop();
    await env.ctx.close();
    Object.assign(env, await start());
  };
  env.until = async (probe, what, timeoutMs = 20_000) => {
    const end = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  env.close = async () => {
    await env.svc.stop();
    await env.ctx.close();
    await Promise.all([acumatica.close(), magento.close()]);
    await db.drop();
  };
  return env;
}

/**
 * Orders whose money does not add up the way Magento keeps it: more paid or invoiced than the order's
 * total, or a total due that is not the rest of it. Every order-to-cash test checks every order.
 */
export function magentoMoneyProblems(
  orders: Iterable<{
    increment_id?: string;
    grand_total?: number;
    total_paid?: number;
    total_due?: number;
    total_invoiced?: number;
  }>,
): string[] {
  const out: string[] = [];
  for (const o of orders) {
    const grand = new Decimal(o.grand_total ?? 0);
    const paid = new Decimal(o.total_paid ?? 0);
    const due = new Decimal(o.total_due ?? 0);
    const name = `order ${o.increment_id}`;
    if (paid.gt(grand)) out.push(`${name}: total_paid ${paid} is more than grand_total ${grand}`);
    if (new Decimal(o.total_invoiced ?? 0).gt(grand))
      out.push(`${name}: total_invoiced ${o.total_invoiced} is more than grand_total ${grand}`);
    const rest = Decimal.max(0, grand.minus(paid));
    if (!due.eq(rest)) out.push(`${name}: total_due ${due} is not grand_total − total_paid (${rest})`);
  }
  return out;
}

/**
 * Closes the environment, then holds what every order-to-cash test must leave true: every Magento
 * order's money adds up, and neither system saw traffic that departs from its published spec.
 */
export async function closeAndCheck(env: OrderEnvironment | undefined): Promise<void> {
  if (!env) return;
  const money = magentoMoneyProblems(env.magento.orders.values());
  await env.close();
  expect(money, 'Magento orders whose money does not add up').toEqual([]);
  expect(env.acumatica.kit.violations, 'Acumatica traffic that departs from its published spec').toEqual([]);
  expect(env.magento.kit.violations, 'Magento traffic that departs from its published spec').toEqual([]);
}
