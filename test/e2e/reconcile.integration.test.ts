import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAGENTO_SANDBOX } from '../../src/connectors/magento/sandbox/index.js';
import type { Finding, ReconcileReport } from '../../src/engine/reconcile.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { createApiToken } from '../../src/server/auth/api-tokens.js';
import { runCli } from '../support/cli.js';
import { DIALECTS } from '../support/databases.js';
import { closeAndCheck, type OrderEnvironment, startOrderEnvironment } from '../support/order-environment.js';

const CUSTOMERS = 'acumatica-magento.customers';
const INVOICES = 'acumatica-magento.invoices';
const ORDERS = 'magento-acumatica.orders';
const FLOWS = [CUSTOMERS, INVOICES, ORDERS];
/** Every record of the sandboxes (seeded customers carry old dates) up to the end of today. */
const FROM = '2000-01-01';
const to = () => new Date().toISOString().slice(0, 10);
const DELETED = 'C000005';

type Report = ReconcileReport & { total: number };

/**
 * Reconciliation end to end over loopback: a clean order-to-cash sync reconciles to 0 drift; drift
 * injected in the sandboxes — an invoice line edited in Magento, a customer deleted in Magento, a
 * Magento order placed while no webhook reached Ledgerlink — is found and named through the API and
 * the CLI, without one write to either system; an accepted finding stays accepted until its values
 * change, and a re-sync clears its finding.
 */
describe.each(DIALECTS)('reconciliation to the cent (%s store)', (dialect) => {
  let env: OrderEnvironment;
  let viewer: string;
  let operator: string;
  let invoiceNbr: string;
  let lostOrder: string;
  let deletedTarget: string;

  const writes = () => env.magento.kit.writeCalls().length + env.acumatica.kit.writeCalls().length;
  const api = async (token: string, path: string, body?: unknown) => {
    const res = await fetch(`${env.svc.url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return res;
  };
  const reconcile = async (flow: string): Promise<Report> => {
    const res = await api(viewer, `/api/flows/${flow}/reconcile?from=${FROM}&to=${to()}&limit=1000`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Report;
  };
  const only = (r: Report, kind: string): Finding => {
    const f = r.findings.filter((x) => x.kind === kind);
    expect(f, JSON.stringify(r.findings)).toHaveLength(1);
    return f[0]!;
  };

  beforeAll(async () => {
    // No webhooks: every sync is a run the test starts, so "Ledgerlink did not hear of it" is real.
    env = await startOrderEnvironment({ customers: 6, products: 6, dialect, patch: { webhooks: false } });
    await createUser(env.ctx.store, {
      username: 'vic',
      role: 'viewer',
      password: 'correct horse battery',
      mustChangePassword: false,
    });
    await createUser(env.ctx.store, {
      username: 'olga',
      role: 'operator',
      password: 'correct horse battery',
      mustChangePassword: false,
    });
    viewer = (await createApiToken(env.ctx.store, { username: 'vic', name: 'reconcile' })).token;
    operator = (await createApiToken(env.ctx.store, { username: 'olga', name: 'reconcile' })).token;

    const e = env.ctx.engine;
    const a = env.acumatica;
    expect((await e.run(CUSTOMERS, { trigger: 'batch' })).counts).toMatchObject({ created: 6, failed: 0 });
    await e.run('acumatica-magento.products', { trigger: 'batch' });
    const orderNbr = a.createSalesOrder({
      customerId: 'C000003',
      lines: [
        { inventoryId: 'ITEM00004', qty: 2 },
        { inventoryId: 'ITEM00002', qty: 1 },
      ],
      shipVia: 'FLATRATE',
      paymentMethod: 'CHECK',
    });
    const total = (a.orders.get(orderNbr)!.OrderTotal as { value: number }).value;
    a.createPayment({ customerId: 'C000003', amount: total, orderNbr, method: 'CHECK', ref: 'CHK-1' });
    expect((await e.run('acumatica-magento.orders', { trigger: 'batch' })).counts.created).toBe(1);
    const shipmentNbr = a.createShipment(orderNbr, {});
    a.confirmShipment(shipmentNbr);
    await e.run('acumatica-magento.shipments', { trigger: 'batch' });
    invoiceNbr = a.prepareInvoice(shipmentNbr);
    a.releaseInvoice(invoiceNbr);
    expect((await e.run(INVOICES, { trigger: 'batch' })).counts.created).toBe(1);
    const shopper = Number((await env.ctx.store.records.get(CUSTOMERS, 'C000002'))!.target_id);
    env.magento.placeOrder({ customerId: shopper, lines: [{ sku: 'ITEM00001', qty: 3 }] });
    expect((await e.run(ORDERS, { trigger: 'batch' })).counts.created).toBe(1);
  });
  afterAll(() => closeAndCheck(env));

  it('after a clean sync every flow reconciles to 0 drift, and the totals per day and currency agree to the cent', async () => {
    for (const flow of FLOWS) {
      const r = await reconcile(flow);
      expect(r.counts.drift, `${flow}: ${JSON.stringify(r.findings)}`).toBe(0);
      expect(r.findings).toEqual([]);
      expect(r.counts.matched).toBeGreaterThan(0);
      expect(r.totals.every((t) => !t.differs)).toBe(true);
    }
    const inv = await reconcile(INVOICES);
    expect(inv.totals).toHaveLength(1);
    expect(inv.totals[0]!.source).toEqual(inv.totals[0]!.target);
    expect(Number(inv.totals[0]!.source.amount)).toBeGreaterThan(0);
    // The CLI agrees: exit code 0, "0 drift".
    const cli = await runCli(['reconcile', CUSTOMERS, '--from', FROM, '-c', env.configPath]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('0 drift');
  });

  it('injected drift is found and named — an edited invoice line, a deleted customer, an order whose webhook was lost — with zero writes anywhere', async () => {
    // A person edits a line of the invoice in Magento: its price and row total.
    const invoice = [...env.magento.invoices.values()][0]!;
    const line = invoice.items.find((i) => i.qty > 0)!;
    const oldPrice = line.price!;
    line.price = oldPrice + 10;
    line.row_total = (oldPrice + 10) * line.qty;
    invoice.grand_total = invoice.grand_total! + 10 * line.qty;
    // A customer deleted in Magento (through its REST API, as the admin would).
    deletedTarget = (await env.ctx.store.records.get(CUSTOMERS, DELETED))!.target_id!;
    const del = await fetch(`${env.magento.url}/rest/V1/customers/${deletedTarget}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${MAGENTO_SANDBOX.accessToken}` },
    });
    expect(del.status).toBe(200);
    // An order placed in Magento while Ledgerlink heard nothing of it.
    const shopper = Number((await env.ctx.store.records.get(CUSTOMERS, 'C000004'))!.target_id);
    lostOrder = String(
      env.magento.placeOrder({ customerId: shopper, lines: [{ sku: 'ITEM00003', qty: 1 }] }).entity_id,
    );

    const before = writes();
    const records = await env.ctx.store.db.selectFrom('sync_records').selectAll().orderBy('id').execute();

    const inv = await reconcile(INVOICES);
    const edited = only(inv, 'differs');
    expect(edited).toMatchObject({
      sourceId: invoiceNbr,
      targetId: String(invoice.entity_id),
      actions: ['accept'],
    });
    const price = edited.diffs.find((d) => d.path === `lines[${line.sku}].unitPrice`)!;
    expect(price, JSON.stringify(edited.diffs)).toBeDefined();
    expect(Number((price.source as { amount: string }).amount)).toBe(oldPrice);
    expect(Number((price.target as { amount: string }).amount)).toBe(oldPrice + 10);
    expect(edited.message).toContain(`invoice ${invoiceNbr} differs on Magento`);
    expect(inv.totals.some((t) => t.differs)).toBe(true);

    const cus = await reconcile(CUSTOMERS);
    expect(only(cus, 'target_gone')).toMatchObject({
      sourceId: DELETED,
      targetId: deletedTarget,
      actions: ['resync', 'link', 'accept'],
    });
    expect(cus.counts.drift).toBe(1);

    const ord = await reconcile(ORDERS);
    const lost = only(ord, 'missing_in_target');
    expect(lost.sourceId).toBe(lostOrder);
    expect(lost.message).toContain('Ledgerlink never saw it');
    expect(lost.actions).toContain('resync');

    // The CLI names them too, and exits 1.
    const cli = await runCli(['reconcile', INVOICES, '--from', FROM, '-c', env.configPath]);
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stdout).toContain(`1 finding of drift`);
    expect(cli.stdout).toContain(`lines[${line.sku}].unitPrice`);
    const file = join(mkdtempSync(join(tmpdir(), 'reconcile-')), 'customers.xlsx');
    const json = await runCli([
      'reconcile',
      CUSTOMERS,
      '--from',
      FROM,
      '--json',
      '--out',
      file,
      '-c',
      env.configPath,
    ]);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as ReconcileReport).findings.map((f) => [f.kind, f.sourceId])).toEqual([
      ['target_gone', DELETED],
    ]);

    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.getWorksheet('Findings')!.getSheetValues().filter(Boolean) as unknown[][];
    expect(
      sheet.some((r) => r.includes('target_gone') && r.includes(DELETED) && r.includes(deletedTarget)),
    ).toBe(true);

    // A period that is not one is refused, naming the parameter.
    const bad = await api(viewer, `/api/flows/${CUSTOMERS}/reconcile?from=2026-02-30`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'from "2026-02-30" is not a real date',
    );

    // Downloads: CSV and XLSX name the same findings.
    const csv = await api(viewer, `/api/flows/${ORDERS}/reconcile?from=${FROM}&to=${to()}&format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(
      /attachment; filename="reconcile-magento-acumatica\.orders-/,
    );
    expect(await csv.text()).toMatch(new RegExp(`^missing_in_target,${lostOrder},`, 'm'));
    const xlsx = await api(viewer, `/api/flows/${INVOICES}/reconcile?from=${FROM}&to=${to()}&format=xlsx`);
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ExcelJS.Buffer);
    const rows = wb.getWorksheet('Findings')!.getSheetValues().filter(Boolean) as unknown[][];
    expect(rows.some((r) => r.includes(`lines[${line.sku}].unitPrice`) && r.includes(invoiceNbr))).toBe(true);

    // Reads only: not one write to either system, the link table as it was.
    expect(writes() - before).toBe(0);
    expect(await env.ctx.store.db.selectFrom('sync_records').selectAll().orderBy('id').execute()).toEqual(
      records,
    );
  });

  it('an accepted finding shows as accepted (who, why) until its values change; a viewer may not accept', async () => {
    const edited = only(await reconcile(INVOICES), 'differs');
    const body = {
      key: edited.key,
      fingerprint: edited.fingerprint,
      reason: 'price corrected by hand in the shop',
    };
    expect((await api(viewer, `/api/flows/${INVOICES}/reconcile/accept`, body)).status).toBe(403);
    const bad = await api(operator, `/api/flows/${INVOICES}/reconcile/accept`, { ...body, key: 'nonsense' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('key');
    const ok = await api(operator, `/api/flows/${INVOICES}/reconcile/accept`, body);
    expect(ok.status, await ok.clone().text()).toBe(200);

    const after = await reconcile(INVOICES);
    expect(after.counts).toMatchObject({ drift: 0, accepted: 1 });
    expect(only(after, 'differs').accepted).toMatchObject({
      by: 'olga',
      reason: 'price corrected by hand in the shop',
    });
    const cli = await runCli(['reconcile', INVOICES, '--from', FROM, '-c', env.configPath]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('[accepted by olga]');

    // The line changes again: the acceptance no longer covers it.
    const line = [...env.magento.invoices.values()][0]!.items.find((i) => i.qty > 0)!;
    line.price = line.price! + 1;
    const changed = await reconcile(INVOICES);
    expect(changed.counts).toMatchObject({ drift: 1, accepted: 0 });
    expect(only(changed, 'differs').accepted).toBeUndefined();
  });

  it('a re-sync of the deleted customer and of the lost order clears their findings', async () => {
    const before = env.magento.kit.writeCalls().length;
    const res = await api(operator, `/api/flows/${CUSTOMERS}/reconcile/resync`, { sourceIds: [DELETED] });
    expect(res.status, await res.clone().text()).toBe(200);
    const run = (await res.json()) as {
      outcomes: Array<{ sourceId: string; status: string; targetId: string }>;
    };
    expect(run.outcomes).toMatchObject([{ sourceId: DELETED, status: 'created' }]);
    expect(run.outcomes[0]!.targetId).not.toBe(deletedTarget);
    expect(env.magento.kit.writeCalls().length).toBeGreaterThan(before);
    expect((await reconcile(CUSTOMERS)).counts.drift).toBe(0);

    const ord = await api(operator, `/api/flows/${ORDERS}/reconcile/resync`, { sourceIds: [lostOrder] });
    expect(ord.status, await ord.clone().text()).toBe(200);
    expect(((await ord.json()) as { outcomes: Array<{ status: string }> }).outcomes).toMatchObject([
      { status: 'created' },
    ]);
    const after = await reconcile(ORDERS);
    expect(after.counts.drift, JSON.stringify(after.findings)).toBe(0);
    expect(after.totals.every((t) => !t.differs)).toBe(true);
  });
  it('a link forgotten is found as "not linked" with both ids, and linking it by hand clears it', async () => {
    const row = (await env.ctx.store.records.get(CUSTOMERS, 'C000006'))!;
    expect((await api(operator, `/api/records/${row.id}/unlink`, {})).status).toBe(200);
    const found = only(await reconcile(CUSTOMERS), 'not_linked');
    expect(found).toMatchObject({
      sourceId: 'C000006',
      targetId: row.target_id,
      actions: ['link', 'accept'],
    });
    const linked = await api(operator, '/api/records/link', {
      flow: CUSTOMERS,
      sourceId: found.sourceId,
      targetId: found.targetId,
    });
    expect(linked.status, await linked.clone().text()).toBe(200);
    expect((await reconcile(CUSTOMERS)).counts.drift).toBe(0);
  });
});
