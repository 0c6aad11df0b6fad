import type { TrytonClient } from '../../connectors/tryton/client.js';
import { encodeDate, encodeDecimal } from '../../connectors/tryton/json.js';

/**
 * The business a fresh Tryton database needs before a web order can become a sale that is
 * confirmed, processed, shipped, invoiced, posted and paid, made through Tryton's own JSON-RPC as
 * an administrator would make it in the client:
 *
 * - the currency (USD, two decimals) and the countries addresses use;
 * - a company, made the admin's current company;
 * - the accounts, from the minimal chart Tryton ships (the account.create_chart wizard), with the
 *   default receivable and payable accounts;
 * - a fiscal year for the current year with its move and invoice sequences and monthly periods;
 * - the shop's tax (20 %), an account category for goods that carries it and one for services
 *   without tax (the shipping product's);
 * - the service product SHIPPING, on which an order's shipping cost is booked — taxed at the goods'
 *   20 %, as the shop taxes its shipping, so the two systems' totals agree;
 * - a cash payment method for paying invoices;
 * - sales invoiced and shipped on order, so processing a confirmed sale makes both documents.
 *
 * The warehouse is the one the stock module creates (WH, storage STO).
 */

export interface TrytonBusiness {
  companyId: number;
  companyPartyId: number;
  currencyId: number;
  currency: string;
  taxId: number;
  /** Account category of goods: revenue and expense accounts and the 20 % customer tax. */
  goodsCategoryId: number;
  /** Account category of services without tax (the shipping product's). */
  servicesCategoryId: number;
  /** The service product "SHIPPING" an order's shipping cost is booked on (the connector's default shippingProduct). */
  shippingProductId: number;
  paymentMethodId: number;
  accounts: {
    receivable: number;
    payable: number;
    revenue: number;
    expense: number;
    cash: number;
    tax: number;
  };
  warehouseId: number;
  storageId: number;
  unitUomId: number;
  countries: Record<string, number>;
}

const COUNTRIES: Record<string, string> = {
  US: 'United States',
  GB: 'United Kingdom',
  DE: 'Germany',
  FR: 'France',
  ID: 'Indonesia',
};

type Row = Record<string, unknown> & { id: number };

async function one(client: TrytonClient, model: string, domain: unknown[], what: string): Promise<Row> {
  const [row] = await client.model<Row[]>(model, 'search_read', [domain, 0, 1, null, ['id']]);
  if (!row) throw new Error(`the Tryton database has no ${what}`);
  return row;
}

async function create(client: TrytonClient, model: string, values: Record<string, unknown>): Promise<number> {
  const [id] = await client.model<number[]>(model, 'create', [[values]]);
  return id!;
}

export interface WizardResult {
  view?: { state: string; defaults: Record<string, unknown> };
  actions?: unknown[];
}

/**
 * Runs a wizard as Tryton's client does: a session, then states executed one after the other, each
 * with the values of the views filled so far ({view state: {field: value}}), and the session deleted.
 */
export async function runWizard<T>(
  client: TrytonClient,
  name: string,
  steps: (execute: (state: string, data?: Record<string, unknown>) => Promise<WizardResult>) => Promise<T>,
  context: Record<string, unknown> = {},
): Promise<T> {
  const ctx = { ...(await client.context()), ...context };
  const [session] = await client.call<[number, string, string]>(`wizard.${name}.create`, [ctx]);
  try {
    return await steps((state, data = {}) =>
      client.call<WizardResult>(`wizard.${name}.execute`, [session, data, state, ctx]),
    );
  } finally {
    await client.call(`wizard.${name}.delete`, [session, ctx]);
  }
}

async function currencyOf(client: TrytonClient, code: string): Promise<number> {
  const [found] = await client.model<Row[]>('currency.currency', 'search_read', [
    [['code', '=', code]],
    0,
    1,
    null,
    ['id'],
  ]);
  if (found) return found.id;
  return create(client, 'currency.currency', {
    name: code === 'USD' ? 'U.S. Dollar' : code,
    symbol: code === 'USD' ? '$' : code,
    code,
    digits: 2,
    rounding: encodeDecimal('0.01'),
    rates: [['create', [{ date: encodeDate('2000-01-01'), rate: encodeDecimal('1') }]]],
  });
}

async function sequenceType(client: TrytonClient, name: string): Promise<number> {
  return (await one(client, 'ir.sequence.type', [['name', '=', name]], `sequence type "${name}"`)).id;
}

export async function setUpBusiness(
  client: TrytonClient,
  o: { year?: number; currency?: string; companyName?: string } = {},
): Promise<TrytonBusiness> {
  const year = o.year ?? new Date().getUTCFullYear();
  const currency = o.currency ?? 'USD';
  const currencyId = await currencyOf(client, currency);

  const countries: Record<string, number> = {};
  for (const [code, name] of Object.entries(COUNTRIES))
    countries[code] = await create(client, 'country.country', { code, name });

  const companyPartyId = await create(client, 'party.party', { name: o.companyName ?? 'Ledgerlink Trading' });
  const companyId = await create(client, 'company.company', { party: companyPartyId, currency: currencyId });
  const admin = await client.userId();
  await client.model('res.user', 'write', [
    [admin],
    { companies: [['add', [companyId]]], company: companyId },
  ]);
  // The company now comes with the admin's preferences; every later call carries it.
  client.resetContext();

  const root = await one(
    client,
    'ir.model.data',
    [
      ['module', '=', 'account'],
      ['fs_id', '=', 'account_template_root_en'],
    ],
    'minimal account chart',
  );
  const rootTemplate = (await client.model<Row[]>('ir.model.data', 'read', [[root.id], ['db_id']]))[0]!
    .db_id as number;
  const accountOf = async (domain: unknown[], what: string) =>
    (await one(client, 'account.account', [...domain, ['company', '=', companyId]], what)).id;
  await runWizard(client, 'account.create_chart', async (execute) => {
    await execute('account');
    const next = await execute('create_account', {
      account: { account_template: rootTemplate, company: companyId },
    });
    // The properties view proposes the chart's only receivable and payable accounts as defaults.
    const proposed = Object.entries(next.view?.defaults ?? {}).filter(([k]) => !k.includes('.'));
    await execute('create_properties', {
      properties: { ...Object.fromEntries(proposed), company: companyId },
    });
  });
  const accounts = {
    receivable: await accountOf([['type.receivable', '=', true]], 'receivable account'),
    payable: await accountOf([['type.payable', '=', true]], 'payable account'),
    revenue: await accountOf([['type.revenue', '=', true]], 'revenue account'),
    expense: await accountOf([['type.expense', '=', true]], 'expense account'),
    cash: await accountOf([['name', '=', 'Main Cash']], 'cash account'),
    tax: await accountOf([['name', '=', 'Main Tax']], 'tax account'),
  };

  const moves = await create(client, 'ir.sequence', {
    name: `Account moves ${year}`,
    sequence_type: await sequenceType(client, 'Account Move'),
    company: companyId,
  });
  const invoices = await create(client, 'ir.sequence.strict', {
    name: `Invoices ${year}`,
    sequence_type: await sequenceType(client, 'Invoice'),
    company: companyId,
    prefix: `INV/${year}/`,
    padding: 4,
  });
  const fiscalYear = await create(client, 'account.fiscalyear', {
    name: String(year),
    start_date: encodeDate(`${year}-01-01`),
    end_date: encodeDate(`${year}-12-31`),
    company: companyId,
    post_move_sequence: moves,
    invoice_sequences: [
      [
        'create',
        [
          {
            company: companyId,
            out_invoice_sequence: invoices,
            in_invoice_sequence: invoices,
            out_credit_note_sequence: invoices,
            in_credit_note_sequence: invoices,
          },
        ],
      ],
    ],
  });
  await client.model('account.fiscalyear', 'create_period', [[fiscalYear]]);

  const taxId = await create(client, 'account.tax', {
    name: 'VAT 20%',
    description: 'VAT 20%',
    type: 'percentage',
    rate: encodeDecimal('0.20'),
    company: companyId,
    invoice_account: accounts.tax,
    credit_note_account: accounts.tax,
  });
  const goodsCategoryId = await create(client, 'product.category', {
    name: 'Goods (VAT 20%)',
    accounting: true,
    account_revenue: accounts.revenue,
    account_expense: accounts.expense,
    customer_taxes: [['add', [taxId]]],
  });
  const servicesCategoryId = await create(client, 'product.category', {
    name: 'Services (no tax)',
    accounting: true,
    account_revenue: accounts.revenue,
    account_expense: accounts.expense,
  });

  const unit = await one(client, 'product.uom', [['symbol', '=', 'u']], 'unit of measure "Unit"');
  const shippingTemplate = await create(client, 'product.template', {
    name: 'Shipping',
    type: 'service',
    salable: true,
    default_uom: unit.id,
    sale_uom: unit.id,
    list_price: encodeDecimal('0'),
    account_category: goodsCategoryId,
    products: [['create', [{ suffix_code: 'SHIPPING' }]]],
  });
  const shipping = await one(
    client,
    'product.product',
    [['template', '=', shippingTemplate]],
    'shipping product',
  );

  const journal = await one(client, 'account.journal', [['type', '=', 'cash']], 'cash journal');
  const paymentMethodId = await create(client, 'account.invoice.payment.method', {
    name: 'Cash',
    company: companyId,
    journal: journal.id,
    credit_account: accounts.cash,
    debit_account: accounts.cash,
  });

  await client.model('sale.configuration', 'write', [
    [1],
    { sale_invoice_method: 'order', sale_shipment_method: 'order' },
  ]);
  // Tax rounded per line, as the shop rounds it (Tryton's default is per document): with several
  // lines at odd prices the two would otherwise differ by a cent, and the connector refuse the sale.
  await client.model('account.configuration', 'write', [[1], { tax_rounding: 'line' }]);

  const warehouse = await one(client, 'stock.location', [['type', '=', 'warehouse']], 'warehouse');
  const [wh] = await client.model<Row[]>('stock.location', 'read', [[warehouse.id], ['storage_location']]);
  return {
    companyId,
    companyPartyId,
    currencyId,
    currency,
    taxId,
    goodsCategoryId,
    servicesCategoryId,
    shippingProductId: shipping.id,
    paymentMethodId,
    accounts,
    warehouseId: warehouse.id,
    storageId: wh!.storage_location as number,
    unitUomId: unit.id,
    countries,
  };
}
