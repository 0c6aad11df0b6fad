import { describe, expect, it } from 'vitest';
import { ConditionSet, Expression } from '../../engine/conditions.js';
import { flowCatalog } from '../catalog.js';
import { accountingToCrmFlows, crmToAccountingFlows } from './accounting-crm.js';

const pair = { accounting: 'sage50', accountingTitle: 'Sage 50', crm: 'dynamics', crmTitle: 'Dynamics 365' };

describe('accounting ↔ CRM rules, written once for every accounting system', () => {
  it('every accounting system gets the same rules under its own flow names', () => {
    const qbo = { ...flowCatalog['quickbooks-dynamics.customers'] };
    const sage = { ...accountingToCrmFlows(pair)['sage50-dynamics.customers'] };
    expect(sage.sourceConnector).toBe('sage50');
    expect(qbo.sourceConnector).toBe('quickbooks');
    const strip = (f: typeof qbo) => ({ ...f, description: '', sourceConnector: '' });
    expect(strip(qbo)).toEqual(strip(sage));
    expect(flowCatalog['quickbooks-desktop-dynamics.invoices']?.neverOverwrite).toBe(true);
    expect(flowCatalog['dynamics-quickbooks-desktop.orders']?.writeBack).toBe('externalNumber');
  });

  it('existing account: only credit limit, revenue and on-hold change', () => {
    expect(accountingToCrmFlows(pair)['sage50-dynamics.customers']?.ownedFields).toEqual([
      'creditLimit',
      'annualRevenue',
      'onHold',
    ]);
  });

  it('existing product: only list price and standard cost change', () => {
    expect(accountingToCrmFlows(pair)['sage50-dynamics.products']?.ownedFields).toEqual([
      'listPrice',
      'standardCost',
    ]);
  });

  it('an existing invoice is never overwritten and credit notes are not sent', async () => {
    const flow = accountingToCrmFlows(pair)['sage50-dynamics.invoices'];
    expect(flow?.neverOverwrite).toBe(true);
    const conditions = new ConditionSet(flow?.conditions ?? []);
    expect((await conditions.evaluate({ type: 'invoice' })).passed).toBe(true);
    const credit = await conditions.evaluate({ type: 'credit_note', documentType: 'Sales Credit' });
    expect(credit.passed).toBe(false);
    expect(credit.reason).toContain('it is a Sales Credit');
  });

  it('an invoice waits for its customer and the products of its lines, not for write-in lines', async () => {
    const deps = accountingToCrmFlows(pair)['sage50-dynamics.invoices']?.dependencies ?? [];
    const products = new Expression(deps.find((d) => d.entity === 'product')?.ids ?? '', 'test');
    const invoice = { lines: [{ sku: 'VID003' }, { description: 'carriage' }, { sku: 'TAPE002' }] };
    expect([...((await products.evaluate(invoice)) as string[])]).toEqual(['VID003', 'TAPE002']);
  });

  it('only orders whose status reason is ready are uploaded', async () => {
    const flow = crmToAccountingFlows(pair)['dynamics-sage50.orders'];
    const conditions = new ConditionSet(flow?.conditions ?? []);
    expect((await conditions.evaluate({ status: 'ready' })).passed).toBe(true);
    const uploaded = await conditions.evaluate({ status: 'uploaded' });
    expect(uploaded.passed).toBe(false);
    expect(uploaded.reason).toContain('its status reason is uploaded');
  });

  it('an order waits for its products except write-in lines, which use the default product', async () => {
    const deps = crmToAccountingFlows(pair)['dynamics-sage50.orders']?.dependencies ?? [];
    const products = new Expression(deps.find((d) => d.entity === 'product')?.ids ?? '', 'test');
    const order = {
      lines: [
        { sku: 'VID003' },
        { sku: 'TAPE002', writeIn: false },
        { sku: 'WRITE-IN', writeIn: true, description: 'test Product' },
      ],
    };
    expect([...((await products.evaluate(order)) as string[])]).toEqual(['VID003', 'TAPE002']);
    expect(await products.evaluate({ lines: [{ sku: 'X', writeIn: true }] })).toBeUndefined();
  });

  it('customers and products the orders need are created in the accounts, existing ones never touched', () => {
    const flows = crmToAccountingFlows(pair);
    for (const entity of ['customers', 'products']) {
      expect(flows[`dynamics-sage50.${entity}`]?.ownedFields).toEqual([]);
      expect(flows[`dynamics-sage50.${entity}`]?.neverOverwrite).toBe(true);
    }
  });
});
