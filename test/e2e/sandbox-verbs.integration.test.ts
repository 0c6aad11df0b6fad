import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAGENTO_SANDBOX } from '../../src/connectors/magento/sandbox/index.js';
import { runCli, spawnCli } from '../support/cli.js';

/** Starts `ledgerlink sandbox <system>` on a free port and resolves with its address. */
function startSandbox(system: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnCli(['sandbox', system, '--port', '0', '--json', ...args]);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = out.match(/"url":\s*"(http:\/\/[^"]+)"/);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`the sandbox exited with ${code}: ${out}`)));
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await exited;
}

const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;

/** The same verbs straight over HTTP, as `curl -X POST <sandbox>/_sandbox/orders/<order>/<verb>` would. */
async function post(url: string, path: string, body: unknown = {}) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, Record<string, unknown>> };
}

/**
 * The sandboxes' verbs from the command line, against real sandbox processes over loopback: a
 * person places, pays, ships, invoices and cancels orders in Magento, and enters, pays, ships and
 * invoices them in Acumatica; what each did is then read back through the system's own REST API.
 */
describe('sandbox verbs', () => {
  let magento: { child: ChildProcess; url: string };
  let acumatica: { child: ChildProcess; url: string };

  beforeAll(async () => {
    [magento, acumatica] = await Promise.all([
      startSandbox('magento', ['--customers', '2', '--products', '3']),
      startSandbox('acumatica', ['--customers', '3', '--products', '3']),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([stop(magento?.child), stop(acumatica?.child)]);
  });

  it('the help says how to make things happen', async () => {
    const help = await runCli(['sandbox', '--help']);
    expect(help.code).toBe(0);
    for (const line of [
      /ledgerlink sandbox magento place/,
      /ledgerlink sandbox magento pay <order>/,
      /ledgerlink sandbox magento ship <order>/,
      /ledgerlink sandbox magento invoice <order>/,
      /ledgerlink sandbox magento cancel <order>/,
      /ledgerlink sandbox acumatica enter/,
      /ledgerlink sandbox acumatica pay <order>/,
      /ledgerlink sandbox acumatica ship <order>/,
      /ledgerlink sandbox acumatica invoice <order>/,
      /POST \/_sandbox\/orders/,
    ])
      expect(help.stdout).toMatch(line);
  }, 180_000);

  it('Magento: place, ship, invoice; place, pay, cancel — read back through the REST API', async () => {
    const at = ['--url', magento.url];
    const placed = await runCli(['sandbox', 'magento', 'place', '--sku', 'MAG00002', '--qty', '2', ...at]);
    expect(placed.code, placed.stderr).toBe(0);
    expect(placed.stdout).toMatch(/^placed order 000000001 \(entity 1\): [\d.]+, new\/pending$/m);
    const ship = await runCli(['sandbox', 'magento', 'ship', '000000001', ...at]);
    expect(ship.stdout).toMatch(
      /^shipped order 000000001 \(entity 1\): shipment 000000001; now processing\/processing/m,
    );
    // The rest straight over HTTP, the endpoints the verbs call.
    const invoice = await post(magento.url, '/_sandbox/orders/000000001/invoice');
    expect(invoice.json.order).toMatchObject({ state: 'complete', status: 'complete' });
    const second = (await post(magento.url, '/_sandbox/orders')).json.order!;
    const paid = await post(magento.url, `/_sandbox/orders/${second.entityId}/pay`);
    expect(paid.json.order!.totalPaid).toBe(second.grandTotal);
    const third = (await post(magento.url, '/_sandbox/orders', { customerId: 2 })).json.order!;
    const canceled = await runCli(['sandbox', 'magento', 'cancel', String(third.incrementId), ...at]);
    expect(canceled.stdout).toMatch(
      /^canceled what was left of order 000000003 \(entity 3\); now canceled\/canceled/m,
    );
    // A complete order cannot be canceled: one line, a non-zero exit.
    const refused = await runCli(['sandbox', 'magento', 'cancel', '000000001', ...at]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error: the magento sandbox refused to cancel: order 000000001 cannot be canceled in state complete/,
    );

    const read = async (id: number) =>
      (await (
        await fetch(`${magento.url}/rest/default/V1/orders/${id}`, {
          headers: { authorization: `Bearer ${MAGENTO_SANDBOX.accessToken}` },
        })
      ).json()) as {
        state: string;
        total_paid?: number;
        customer_id?: number;
        items: Array<{ qty_canceled?: number }>;
      };
    expect((await read(1)).state).toBe('complete');
    expect((await read(2)).state).toBe('processing');
    const c = await read(3);
    expect([c.state, c.customer_id, c.items[0]?.qty_canceled]).toEqual(['canceled', 2, 1]);
  }, 180_000);

  it('Acumatica: enter, pay, ship, invoice — read back through the REST API', async () => {
    const at = ['--url', acumatica.url];
    const entered = await runCli([
      'sandbox',
      'acumatica',
      'enter',
      '--customer',
      'C000002',
      '--sku',
      'ITEM00001',
      '--qty',
      '3',
      ...at,
    ]);
    expect(entered.code, entered.stderr).toBe(0);
    expect(entered.stdout).toMatch(/^entered sales order SO SO000001 for C000002: [\d.]+; Open$/m);
    const early = await post(acumatica.url, '/_sandbox/orders/SO000001/invoice');
    expect(early.status).toBe(400);
    expect(early.json.message).toMatch(/has no confirmed shipment left to invoice; ship it first/);
    const paid = await runCli(['sandbox', 'acumatica', 'pay', 'SO000001', ...at]);
    expect(paid.stdout).toMatch(
      /^paid sales order SO SO000001: payment \S+ of [\d.]+, released; now Open, unpaid 0 of/m,
    );
    const shipped = await post(acumatica.url, '/_sandbox/orders/SO000001/ship');
    const shipmentNbr = shipped.json.shipment!.shipmentNbr as string;
    const invoiced = await runCli(['sandbox', 'acumatica', 'invoice', 'SO000001', ...at, '--json']);
    const invoiceNbr = (json(invoiced).invoices as unknown as Array<{ referenceNbr: string }>)[0]!
      .referenceNbr;

    const login = await fetch(`${acumatica.url}/entity/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'admin', password: 'sandbox', company: 'Company' }),
    });
    const cookie = (login.headers.getSetCookie() ?? []).map((c) => c.split(';')[0]).join('; ');
    const get = async (path: string) =>
      (await (
        await fetch(`${acumatica.url}/entity/Default/24.200.001/${path}`, { headers: { cookie } })
      ).json()) as Record<string, { value?: unknown }>;
    expect((await get(`Shipment/${shipmentNbr}`)).Status?.value).toBe('Invoiced');
    expect((await get(`SalesInvoice/Invoice/${invoiceNbr}`)).Status?.value).toBe('Closed');
    expect((await get('SalesOrder/SO/SO000001')).Status?.value).toBe('Completed');
    await fetch(`${acumatica.url}/entity/auth/logout`, { method: 'POST', headers: { cookie } });
  }, 180_000);

  it('a verb without a sandbox, or without its order, says so in one line', async () => {
    const [none, bare, unknown] = await Promise.all([
      runCli(['sandbox', 'magento', 'ship', '1', '--url', 'http://127.0.0.1:9']),
      runCli(['sandbox', 'acumatica', 'ship', '--url', acumatica.url]),
      runCli(['sandbox', 'acumatica', 'cancel', 'SO000001', '--url', acumatica.url]),
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toBe(
      'error: no magento sandbox answers at http://127.0.0.1:9 (start one with "ledgerlink sandbox magento", or give --url)',
    );
    expect(bare.code).toBe(2);
    expect(bare.stderr.trim()).toBe('error: ship needs the order: ledgerlink sandbox acumatica ship <order>');
    expect(unknown.stderr.trim()).toBe(
      'error: the acumatica sandbox has no verb "cancel"; it has: enter, pay, ship, invoice',
    );
  }, 180_000);
});
