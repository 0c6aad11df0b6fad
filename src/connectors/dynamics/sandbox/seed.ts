import { randomUUID } from 'node:crypto';
import { seededRandom } from '../../sdk/sandbox-kit.js';
import type { Row } from './filter.js';
import type { Store } from './store.js';

export interface SeedOptions {
  customers?: number;
  products?: number;
  orders?: number;
  /** The manual's own CRM records (default true). */
  manual?: boolean;
  seed?: number;
}

export interface Seeded {
  currencies: Record<string, string>;
  priceListId: string;
  unitGroupId: string;
  units: Record<string, string>;
  adminId: string;
  appUserId: string;
}

const bind = (set: string, id: string) => `/${set}(${id})`;

/**
 * The environment as the manual's Setup leaves it (§4.3): currency GBP, the price list "Default Price
 * List", the unit group "Default Unit" with "Primary Unit" and "25 Pack", the status reasons 200000 and
 * 200001 on salesorder (schema.ts). The manual's CRM records: accounts A1D001 (A1 Design, with its
 * contact Jim Thomas) and XXX001, which its two orders are for, and the products those orders sell.
 * ABS001 and MISC are not in the CRM: ABS001 is a customer the accounts have and the CRM has yet to
 * get, and MISC is the accounting system's default product for write-in lines.
 */
export function seed(store: Store, o: SeedOptions): Seeded {
  const at = (minutes: number) => new Date(Date.UTC(2026, 0, 5, 9, 0, 0) + minutes * 60_000);
  const create = (set: string, body: Row, minutes = 0): string => {
    const was = store.now;
    store.now = () => at(minutes);
    try {
      const row = store.create(set, body);
      return String(row[Object.keys(row)[0]!]);
    } finally {
      store.now = was;
    }
  };
  const currencies: Record<string, string> = {};
  for (const [code, name, symbol] of [
    ['GBP', 'Pound Sterling', '£'],
    ['USD', 'US Dollar', '$'],
    ['EUR', 'Euro', '€'],
  ] as const)
    currencies[code] = create('transactioncurrencies', {
      isocurrencycode: code,
      currencyname: name,
      currencysymbol: symbol,
      exchangerate: 1,
    });
  const gbp = bind('transactioncurrencies', currencies.GBP!);
  const adminId = create('systemusers', {
    fullname: 'LitwareInc Administrator',
    domainname: 'administrator@litwareinc.com',
  });
  const appUserId = create('systemusers', {
    fullname: '# Ledgerlink',
    domainname: 'ledgerlink@litwareinc.com',
  });
  const priceListId = create('pricelevels', {
    name: 'Default Price List',
    'transactioncurrencyid@odata.bind': gbp,
  });
  const unitGroupId = create('uomschedules', { name: 'Default Unit', baseuomname: 'Primary Unit' });
  // The base unit is its own base: created first, then pointed at itself.
  const primaryId = randomUUID();
  create('uoms', {
    uomid: primaryId,
    name: 'Primary Unit',
    quantity: 1,
    'uomscheduleid@odata.bind': bind('uomschedules', unitGroupId),
    'baseuom@odata.bind': bind('uoms', primaryId),
  });
  const units: Record<string, string> = {};
  units['Primary Unit'] = primaryId;
  const pack = create('uoms', {
    name: '25 Pack',
    quantity: 25,
    'uomscheduleid@odata.bind': bind('uomschedules', unitGroupId),
    'baseuom@odata.bind': bind('uoms', units['Primary Unit']),
  });
  units['25 Pack'] = pack;

  const product = (number: string, name: string, price: number, unit: string, minutes: number) => {
    const id = create(
      'products',
      {
        productnumber: number,
        name,
        price,
        standardcost: Math.round(price * 60) / 100,
        quantitydecimal: 2,
        producttypecode: 1,
        'defaultuomscheduleid@odata.bind': bind('uomschedules', unitGroupId),
        'defaultuomid@odata.bind': bind('uoms', units[unit]!),
        'pricelevelid@odata.bind': bind('pricelevels', priceListId),
        'transactioncurrencyid@odata.bind': gbp,
      },
      minutes,
    );
    create('productpricelevels', {
      'pricelevelid@odata.bind': bind('pricelevels', priceListId),
      'productid@odata.bind': bind('products', id),
      'uomid@odata.bind': bind('uoms', units[unit]!),
      'uomscheduleid@odata.bind': bind('uomschedules', unitGroupId),
      pricingmethodcode: 1,
      roundingpolicycode: 1,
      amount: price,
      'transactioncurrencyid@odata.bind': gbp,
    });
    return id;
  };
  const account = (body: Row, minutes: number) =>
    create(
      'accounts',
      { customertypecode: 3, creditonhold: false, 'transactioncurrencyid@odata.bind': gbp, ...body },
      minutes,
    );
  const order = (number: string, accountId: string, head: Row, lines: Row[], minutes: number) => {
    const id = create(
      'salesorders',
      {
        ordernumber: number,
        name: number,
        statuscode: 200000,
        'customerid_account@odata.bind': bind('accounts', accountId),
        'pricelevelid@odata.bind': bind('pricelevels', priceListId),
        'transactioncurrencyid@odata.bind': gbp,
        'ownerid@odata.bind': bind('systemusers', adminId),
        'owninguser@odata.bind': bind('systemusers', adminId),
        ...head,
        order_details: lines,
      },
      minutes,
    );
    return id;
  };

  if (o.manual !== false) {
    const a1 = account(
      {
        accountnumber: 'A1D001',
        name: 'A1 Design',
        address1_line1: '67a Station',
        address1_city: 'Blackpool',
        address1_stateorprovince: 'Lancashire',
        address1_postalcode: 'BP12 7HT',
        address1_country: 'United Kingdom',
        telephone1: '01742 876 234',
        creditlimit: 1000,
        revenue: 5220.54,
      },
      0,
    );
    create('contacts', {
      firstname: 'Jim',
      lastname: 'Thomas',
      telephone1: '01742 876 234',
      'parentcustomerid_account@odata.bind': bind('accounts', a1),
    });
    const xxx = account({ accountnumber: 'XXX001', name: 'Test Account', creditlimit: 500 }, 1);
    const vid = product('VID003', '32mb PCI Video Card', 55, 'Primary Unit', 2);
    const tape = product('TAPE002', 'Adhesive Tape - Brown (50mm x 66m)', 2.8, 'Primary Unit', 2);
    const test = product('XXXTEST01', 'Test Product', 299, '25 Pack', 3);
    const line = (
      productId: string | undefined,
      qty: number,
      price: number,
      tax: number,
      unit: string | undefined,
      seq: number,
      description?: string,
    ): Row => ({
      ...(productId
        ? {
            'productid@odata.bind': bind('products', productId),
            'uomid@odata.bind': bind('uoms', units[unit!]!),
          }
        : { isproductoverridden: true, productdescription: description }),
      ispriceoverridden: true,
      quantity: qty,
      priceperunit: price,
      tax,
      sequencenumber: seq,
      lineitemnumber: seq,
    });
    // VAT at 17.5 % on each line, as the manual's Sage invoice shows (Net 325.60, VAT 56.99).
    order(
      'ORD-1001-1KWBHX',
      a1,
      { billto_contactname: 'Jim Thomas', billto_telephone: '01742 876 234' },
      [
        line(vid, 3, 55, 28.88, 'Primary Unit', 1),
        line(tape, 22, 2.8, 10.78, 'Primary Unit', 2),
        line(undefined, 3, 33, 17.33, undefined, 3, 'test Product'),
      ],
      10,
    );
    order('ORD-1002', xxx, {}, [line(test, 2, 299, 104.65, '25 Pack', 1)], 11);
  }

  // Generated records for volume: timestamps shared by threes, so inclusive windows are exercised.
  const random = seededRandom(o.seed ?? 1);
  const accountIds: string[] = [];
  for (let i = 1; i <= (o.customers ?? 0); i++) {
    const n = String(i).padStart(6, '0');
    accountIds.push(
      account(
        {
          accountnumber: `C${n}`,
          name: `Customer ${n}`,
          emailaddress1: `customer${n}@example.co.uk`,
          address1_line1: `${i} High Street`,
          address1_city: 'Leeds',
          address1_postalcode: 'LS1 1AA',
          address1_country: 'United Kingdom',
          creditlimit: 500 + Math.round(random() * 100) * 50,
          revenue: Math.round(random() * 1_000_000) / 100,
        },
        100 + Math.floor(i / 3),
      ),
    );
  }
  const productIds: string[] = [];
  for (let i = 1; i <= (o.products ?? 0); i++) {
    const n = String(i).padStart(6, '0');
    productIds.push(
      product(
        `P${n}`,
        `Product ${n}`,
        Math.round(100 + random() * 9900) / 100,
        'Primary Unit',
        200 + Math.floor(i / 3),
      ),
    );
  }
  for (let i = 1; i <= (o.orders ?? 0); i++) {
    const n = String(i).padStart(6, '0');
    const acc =
      accountIds[(i - 1) % Math.max(1, accountIds.length)] ??
      account({ accountnumber: `OC${n}`, name: `Order customer ${n}` }, 0);
    const prod = productIds[(i - 1) % Math.max(1, productIds.length)];
    const qty = 1 + Math.floor(random() * 5);
    const price = Math.round(100 + random() * 9900) / 100;
    order(
      `ORD-G${n}`,
      acc,
      { statuscode: i % 4 === 0 ? 1 : 200000 },
      [
        prod
          ? {
              'productid@odata.bind': bind('products', prod),
              'uomid@odata.bind': bind('uoms', units['Primary Unit']!),
              ispriceoverridden: true,
              quantity: qty,
              priceperunit: price,
              tax: 0,
              sequencenumber: 1,
            }
          : {
              isproductoverridden: true,
              productdescription: 'Service',
              ispriceoverridden: true,
              quantity: qty,
              priceperunit: price,
              tax: 0,
              sequencenumber: 1,
            },
      ],
      300 + Math.floor(i / 3),
    );
  }
  return { currencies, priceListId, unitGroupId, units, adminId, appUserId };
}
