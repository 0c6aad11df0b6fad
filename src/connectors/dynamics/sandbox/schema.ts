/**
 * The tables the sandbox serves, as the Dataverse table reference pages describe them (column types,
 * maximum lengths, lookups and their navigation properties); only the columns Ledgerlink uses, plus
 * what a person would see on the forms the manual shows.
 */
export type ColumnType =
  | 'string'
  | 'memo'
  | 'int'
  | 'decimal'
  | 'money'
  | 'bool'
  | 'picklist'
  | 'datetime'
  | 'date'
  | 'guid';

export interface Column {
  type: ColumnType;
  max?: number;
  /** Computed or system-set: a body that sets it is refused. */
  readOnly?: boolean;
}

export interface Lookup {
  /** The value column, e.g. _parentcustomerid_value. */
  column: string;
  target: string;
}

export interface Table {
  set: string;
  logical: string;
  pk: string;
  primaryName: string;
  columns: Record<string, Column>;
  /** Single-valued navigation properties (bind and expand), by name. */
  lookups: Record<string, Lookup>;
  /** Collection-valued navigation properties (expand and deep insert): child set and its foreign key column. */
  collections: Record<string, { set: string; fk: string; nav: string }>;
  required: string[];
}

const s = (max: number): Column => ({ type: 'string', max });
const money: Column = { type: 'money' };
const ro = (c: Column): Column => ({ ...c, readOnly: true });

const SYSTEM: Record<string, Column> = {
  createdon: ro({ type: 'datetime' }),
  modifiedon: ro({ type: 'datetime' }),
  versionnumber: ro({ type: 'int' }),
  statecode: { type: 'picklist' },
  statuscode: { type: 'picklist' },
};

const currency = {
  transactioncurrencyid: { column: '_transactioncurrencyid_value', target: 'transactioncurrencies' },
};

function table(t: Omit<Table, 'columns'> & { columns: Record<string, Column> }): Table {
  const columns: Record<string, Column> = { [t.pk]: { type: 'guid' }, ...SYSTEM, ...t.columns };
  for (const l of Object.values(t.lookups)) columns[l.column] = ro({ type: 'guid' });
  return { ...t, columns };
}

const lineColumns = (): Record<string, Column> => ({
  productdescription: s(500),
  description: { type: 'memo', max: 2000 },
  quantity: { type: 'decimal' },
  priceperunit: money,
  baseamount: ro(money),
  manualdiscountamount: money,
  volumediscountamount: ro(money),
  tax: money,
  extendedamount: money,
  ispriceoverridden: { type: 'bool' },
  isproductoverridden: { type: 'bool' },
  lineitemnumber: { type: 'int' },
  sequencenumber: { type: 'int' },
});

export const TABLES: Record<string, Table> = Object.fromEntries(
  [
    table({
      set: 'accounts',
      logical: 'account',
      pk: 'accountid',
      primaryName: 'name',
      columns: {
        accountnumber: s(20),
        name: s(160),
        emailaddress1: s(100),
        telephone1: s(50),
        creditlimit: money,
        revenue: money,
        creditonhold: { type: 'bool' },
        customertypecode: { type: 'picklist' },
        address1_line1: s(250),
        address1_line2: s(250),
        address1_city: s(80),
        address1_stateorprovince: s(50),
        address1_postalcode: s(20),
        address1_country: s(80),
        description: { type: 'memo', max: 2000 },
      },
      lookups: { ...currency, primarycontactid: { column: '_primarycontactid_value', target: 'contacts' } },
      collections: {
        contact_customer_accounts: {
          set: 'contacts',
          fk: '_parentcustomerid_value',
          nav: 'parentcustomerid_account',
        },
      },
      required: ['name'],
    }),
    table({
      set: 'contacts',
      logical: 'contact',
      pk: 'contactid',
      primaryName: 'fullname',
      columns: {
        firstname: s(50),
        lastname: s(50),
        fullname: ro(s(160)),
        emailaddress1: s(100),
        telephone1: s(50),
      },
      lookups: { parentcustomerid_account: { column: '_parentcustomerid_value', target: 'accounts' } },
      collections: {},
      required: ['lastname'],
    }),
    table({
      set: 'transactioncurrencies',
      logical: 'transactioncurrency',
      pk: 'transactioncurrencyid',
      primaryName: 'currencyname',
      columns: {
        isocurrencycode: s(5),
        currencyname: s(100),
        currencysymbol: s(10),
        exchangerate: { type: 'decimal' },
      },
      lookups: {},
      collections: {},
      required: ['isocurrencycode', 'currencyname'],
    }),
    table({
      set: 'systemusers',
      logical: 'systemuser',
      pk: 'systemuserid',
      primaryName: 'fullname',
      columns: { fullname: s(200), domainname: s(1024) },
      lookups: {},
      collections: {},
      required: [],
    }),
    table({
      set: 'uomschedules',
      logical: 'uomschedule',
      pk: 'uomscheduleid',
      primaryName: 'name',
      columns: { name: s(200), baseuomname: s(100) },
      lookups: {},
      collections: {},
      required: ['name'],
    }),
    table({
      set: 'uoms',
      logical: 'uom',
      pk: 'uomid',
      primaryName: 'name',
      columns: { name: s(100), quantity: { type: 'decimal' }, isschedulebaseuom: ro({ type: 'bool' }) },
      lookups: {
        uomscheduleid: { column: '_uomscheduleid_value', target: 'uomschedules' },
        baseuom: { column: '_baseuom_value', target: 'uoms' },
      },
      collections: {},
      required: ['name', 'uomscheduleid', 'baseuom', 'quantity'],
    }),
    table({
      set: 'pricelevels',
      logical: 'pricelevel',
      pk: 'pricelevelid',
      primaryName: 'name',
      columns: { name: s(100), description: { type: 'memo', max: 200 } },
      lookups: { ...currency },
      collections: {},
      required: ['name', 'transactioncurrencyid'],
    }),
    table({
      set: 'products',
      logical: 'product',
      pk: 'productid',
      primaryName: 'name',
      columns: {
        productnumber: s(100),
        name: s(100),
        description: { type: 'memo', max: 2000 },
        price: money,
        standardcost: money,
        currentcost: money,
        quantitydecimal: { type: 'int' },
        producttypecode: { type: 'picklist' },
      },
      lookups: {
        ...currency,
        defaultuomscheduleid: { column: '_defaultuomscheduleid_value', target: 'uomschedules' },
        defaultuomid: { column: '_defaultuomid_value', target: 'uoms' },
        pricelevelid: { column: '_pricelevelid_value', target: 'pricelevels' },
      },
      collections: {},
      required: ['productnumber', 'name', 'defaultuomscheduleid', 'defaultuomid', 'quantitydecimal'],
    }),
    table({
      set: 'productpricelevels',
      logical: 'productpricelevel',
      pk: 'productpricelevelid',
      primaryName: 'productpricelevelid',
      columns: {
        amount: money,
        percentage: { type: 'decimal' },
        pricingmethodcode: { type: 'picklist' },
        roundingpolicycode: { type: 'picklist' },
      },
      lookups: {
        ...currency,
        pricelevelid: { column: '_pricelevelid_value', target: 'pricelevels' },
        productid: { column: '_productid_value', target: 'products' },
        uomid: { column: '_uomid_value', target: 'uoms' },
        uomscheduleid: { column: '_uomscheduleid_value', target: 'uomschedules' },
      },
      collections: {},
      required: ['pricelevelid', 'productid', 'uomid'],
    }),
    table({
      set: 'invoices',
      logical: 'invoice',
      pk: 'invoiceid',
      primaryName: 'name',
      columns: {
        invoicenumber: s(100),
        name: s(300),
        description: { type: 'memo', max: 2000 },
        ispricelocked: { type: 'bool' },
        duedate: { type: 'date' },
        totalamount: ro(money),
        totaltax: ro(money),
        totallineitemamount: ro(money),
        discountamount: money,
        freightamount: money,
      },
      lookups: {
        ...currency,
        customerid_account: { column: '_customerid_value', target: 'accounts' },
        pricelevelid: { column: '_pricelevelid_value', target: 'pricelevels' },
      },
      collections: { invoice_details: { set: 'invoicedetails', fk: '_invoiceid_value', nav: 'invoiceid' } },
      required: ['name', 'customerid_account', 'pricelevelid'],
    }),
    table({
      set: 'invoicedetails',
      logical: 'invoicedetail',
      pk: 'invoicedetailid',
      primaryName: 'productdescription',
      columns: lineColumns(),
      lookups: {
        invoiceid: { column: '_invoiceid_value', target: 'invoices' },
        productid: { column: '_productid_value', target: 'products' },
        uomid: { column: '_uomid_value', target: 'uoms' },
      },
      collections: {},
      required: ['invoiceid', 'quantity'],
    }),
    table({
      set: 'salesorders',
      logical: 'salesorder',
      pk: 'salesorderid',
      primaryName: 'name',
      columns: {
        ordernumber: s(100),
        name: s(300),
        billto_contactname: s(150),
        billto_telephone: s(50),
        totalamount: ro(money),
        totaltax: ro(money),
        totallineitemamount: ro(money),
        discountamount: money,
        freightamount: money,
        datefulfilled: { type: 'datetime' },
        // A custom text column, the manual's sync.invoice.field (§4.3).
        new_invoicenumber: s(100),
        new_uploadedon: { type: 'datetime' },
      },
      lookups: {
        ...currency,
        customerid_account: { column: '_customerid_value', target: 'accounts' },
        pricelevelid: { column: '_pricelevelid_value', target: 'pricelevels' },
        ownerid: { column: '_ownerid_value', target: 'systemusers' },
        owninguser: { column: '_owninguser_value', target: 'systemusers' },
      },
      collections: {
        order_details: { set: 'salesorderdetails', fk: '_salesorderid_value', nav: 'salesorderid' },
      },
      required: ['name', 'customerid_account', 'pricelevelid'],
    }),
    table({
      set: 'salesorderdetails',
      logical: 'salesorderdetail',
      pk: 'salesorderdetailid',
      primaryName: 'productdescription',
      columns: lineColumns(),
      lookups: {
        salesorderid: { column: '_salesorderid_value', target: 'salesorders' },
        productid: { column: '_productid_value', target: 'products' },
        uomid: { column: '_uomid_value', target: 'uoms' },
      },
      collections: {},
      required: ['salesorderid', 'quantity'],
    }),
  ].map((t) => [t.set, t]),
);

export const byLogical = (logical: string): Table | undefined =>
  Object.values(TABLES).find((t) => t.logical === logical);

/** Choice labels the sandbox formats (FormattedValue annotations) and checks. */
export const OPTIONS: Record<string, Record<number, string>> = {
  'account.customertypecode': {
    1: 'Competitor',
    2: 'Consultant',
    3: 'Customer',
    4: 'Investor',
    5: 'Partner',
    6: 'Influencer',
    7: 'Press',
    8: 'Prospect',
    9: 'Reseller',
    10: 'Supplier',
    11: 'Vendor',
    12: 'Other',
  },
  'product.producttypecode': {
    1: 'Sales Inventory',
    2: 'Miscellaneous Charges',
    3: 'Services',
    4: 'Flat Fees',
  },
  'productpricelevel.pricingmethodcode': {
    1: 'Currency Amount',
    2: 'Percent of List',
    3: 'Percent Markup - Current Cost',
    4: 'Percent Margin - Current Cost',
    5: 'Percent Markup - Standard Cost',
    6: 'Percent Margin - Standard Cost',
  },
  'productpricelevel.roundingpolicycode': { 1: 'None', 2: 'Up', 3: 'Down', 4: 'To Nearest' },
};

/** salesorder status reasons and their states, with the two the manual asks a person to add (§4.3). */
export const ORDER_STATUS: Array<{ value: number; state: number; label: string }> = [
  { value: 1, state: 0, label: 'New' },
  { value: 2, state: 0, label: 'Pending' },
  { value: 200000, state: 0, label: 'Ready for Accounts' },
  { value: 200001, state: 0, label: 'Uploaded to Accounts' },
  { value: 3, state: 1, label: 'In Progress' },
  { value: 4, state: 2, label: 'No Money' },
  { value: 100001, state: 3, label: 'Complete' },
  { value: 100002, state: 3, label: 'Partial' },
  { value: 100003, state: 4, label: 'Invoiced' },
];
