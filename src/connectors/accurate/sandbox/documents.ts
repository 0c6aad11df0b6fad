import { Decimal } from 'decimal.js';
import { type DbStore, type Doc, type Rec, SHOP } from './store.js';

/** What a save did: the saved record, or Accurate's words for why not (FACTS.md ⚠ wording). */
export type Saved = { ok: true; r: Rec; message: string } | { ok: false; message: string };

type Body = Record<string, unknown>;
type Line = Record<string, unknown>;

const no = (message: string): Saved => ({ ok: false, message });
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const lines = (b: Body, key = 'detailItem'): Line[] => (Array.isArray(b[key]) ? (b[key] as Line[]) : []);
const DATE = /^\d{2}\/\d{2}\/\d{4}$/;
/** Characters Accurate takes in a customer number (⚠ FACTS.md: the sandbox's reading). */
const CUSTOMER_NO = /^[A-Za-z0-9.\-_/]{1,30}$/;

/**
 * Saves one record as Accurate's save.do would: validated against the database (customers, items,
 * warehouses, branches, accounts, the transfer-out a transfer-in names), numbered when no number is
 * given, refused when the number is taken, and its stock effect applied. Each kind answers its own
 * Indonesian message (⚠ the sandbox's wording; FACTS.md).
 */
export function save(store: DbStore, doc: Doc, b: Body): Saved {
  switch (doc) {
    case 'customer':
      return saveCustomer(store, b);
    case 'sales-invoice':
    case 'sales-return':
      return saveSale(store, doc, b);
    case 'sales-receipt':
      return saveReceipt(store, b);
    case 'item-transfer':
      return saveTransfer(store, b);
    case 'item-adjustment':
      return saveAdjustment(store, b);
    default:
      return no(`Penyimpanan ${doc} tidak didukung oleh sandbox`);
  }
}

function common(store: DbStore, b: Body, doc: Doc, prefix: string): Saved | { number: string } {
  if (!DATE.test(str(b.transDate))) return no('Tanggal transaksi harus diisi dengan format dd/MM/yyyy');
  if (b.branchName !== undefined && !store.find('branch', 'name', b.branchName))
    return no(`Cabang "${str(b.branchName)}" tidak ditemukan`);
  const number = str(b.number) || store.autoNumber(prefix);
  if (store.find(doc, 'number', number)) return no(`Nomor # "${number}" sudah digunakan`);
  return { number };
}

function itemsOk(store: DbStore, ls: Line[], warehouseKey = 'warehouseName'): string | undefined {
  if (!ls.length) return 'Rincian barang harus diisi';
  for (const [i, l] of ls.entries()) {
    if (!store.find('item', 'no', l.itemNo))
      return `Barang "${str(l.itemNo)}" tidak ditemukan (baris ${i + 1})`;
    const q = Number(l.quantity ?? 1);
    if (!(q > 0)) return `Kuantitas barang "${str(l.itemNo)}" harus lebih dari 0`;
    if (l[warehouseKey] !== undefined && !store.find('warehouse', 'name', l[warehouseKey]))
      return `Gudang "${str(l[warehouseKey])}" tidak ditemukan`;
  }
  return undefined;
}

function saveCustomer(store: DbStore, b: Body): Saved {
  if (b.id !== undefined) {
    const rec = store.tables.customer.get(Number(b.id));
    if (!rec) return no(`Pelanggan dengan id ${str(b.id)} tidak ditemukan`);
    const { id: _id, customerNo: _no, transDate: _t, ...fields } = b;
    return {
      ok: true,
      r: store.update('customer', rec, fields),
      message: 'Data Pelanggan berhasil disimpan',
    };
  }
  if (!str(b.name)) return no('Nama Pelanggan harus diisi');
  if (!DATE.test(str(b.transDate))) return no('Tanggal transaksi harus diisi dengan format dd/MM/yyyy');
  let customerNo = str(b.customerNo);
  if (customerNo && !CUSTOMER_NO.test(customerNo))
    return no(
      `Nomor Pelanggan "${customerNo}" mengandung karakter yang tidak diperbolehkan (hanya huruf, angka, titik, strip, garis bawah, garis miring; maksimal 30)`,
    );
  if (customerNo && store.find('customer', 'customerNo', customerNo))
    return no(`Nomor Pelanggan "${customerNo}" sudah digunakan`);
  if (!customerNo) {
    do customerNo = store.autoNumber('C-');
    while (store.find('customer', 'customerNo', customerNo));
  }
  const r = store.insert('customer', { ...b, customerNo, suspended: false });
  return { ok: true, r, message: 'Data Pelanggan berhasil disimpan' };
}

/**
 * Σ line net less the document's cash discount, tax on the taxed net after its share of that discount,
 * rounded to the rupiah once, and the expense lines (untaxed) on top (FACTS.md ⚠: our reading).
 */
function totals(b: Body, ls: Line[], taxable: boolean) {
  let net = new Decimal(0);
  let taxed = new Decimal(0);
  for (const l of ls) {
    const n = new Decimal(Number(l.quantity ?? 1))
      .times(Number(l.unitPrice ?? 0))
      .minus(Number(l.itemCashDiscount ?? 0));
    net = net.plus(n);
    if (taxable && l.useTax1 === true) taxed = taxed.plus(n);
  }
  const discount = new Decimal(Number(b.cashDiscount ?? 0));
  // The discount is spread over the lines by their net: the taxed lines' share leaves the tax base.
  const taxedBase = net.isZero() ? taxed : taxed.minus(discount.times(taxed).div(net));
  const tax = taxedBase.times(SHOP.tax.rate).div(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  const expense = lines(b, 'detailExpense').reduce(
    (s, e) => s.plus(Number(e.expenseAmount ?? 0)),
    new Decimal(0),
  );
  return {
    subTotal: net.toNumber(),
    taxAmount: tax.toNumber(),
    totalAmount: net.minus(discount).plus(tax).plus(expense).toNumber(),
  };
}

/** Why a document's cash discount or expense lines cannot be saved, if they cannot. */
function extrasBad(store: DbStore, b: Body): string | undefined {
  if (b.cashDiscount !== undefined && !(Number(b.cashDiscount) >= 0))
    return 'Diskon faktur tidak boleh negatif';
  for (const [i, e] of lines(b, 'detailExpense').entries())
    if (!store.find('glaccount', 'no', e.accountNo))
      return `Akun biaya "${str(e.accountNo)}" tidak ditemukan (baris biaya ${i + 1})`;
  return undefined;
}

function saveSale(store: DbStore, doc: 'sales-invoice' | 'sales-return', b: Body): Saved {
  const c = common(store, b, doc, doc === 'sales-invoice' ? 'SI.2026.' : 'SR.2026.');
  if ('ok' in c) return c;
  if (!store.find('customer', 'customerNo', b.customerNo))
    return no(`Pelanggan dengan nomor "${str(b.customerNo)}" tidak ditemukan`);
  const ls = lines(b);
  const bad = itemsOk(store, ls) ?? extrasBad(store, b);
  if (bad) return no(bad);
  if (
    doc === 'sales-return' &&
    b.returnType === 'INVOICE' &&
    !store.find('sales-invoice', 'number', b.invoiceNumber)
  )
    return no(`Faktur Penjualan "${str(b.invoiceNumber)}" tidak ditemukan`);
  const t = totals(b, ls, b.taxable === true);
  const sign = doc === 'sales-invoice' ? -1 : 1;
  for (const l of ls)
    store.moveStock(
      str(l.itemNo),
      str(l.warehouseName) || SHOP.warehouses[0],
      sign * Number(l.quantity ?? 1),
    );
  const r = store.insert(doc, { ...b, number: c.number, ...t, outstanding: t.totalAmount });
  return { ok: true, r, message: `Data ${doc} berhasil disimpan` };
}

function saveReceipt(store: DbStore, b: Body): Saved {
  const c = common(store, b, 'sales-receipt', 'CR.2026.');
  if ('ok' in c) return c;
  const bank = store.find('glaccount', 'no', b.bankNo);
  if (bank?.type !== 'CASH_BANK') return no(`Akun Kas/Bank "${str(b.bankNo)}" tidak ditemukan`);
  if (!store.find('customer', 'customerNo', b.customerNo))
    return no(`Pelanggan dengan nomor "${str(b.customerNo)}" tidak ditemukan`);
  const invs = lines(b, 'detailInvoice');
  if (!invs.length) return no('Rincian faktur harus diisi');
  let sum = new Decimal(0);
  const found: Array<[Rec, number]> = [];
  for (const d of invs) {
    const inv = store.find('sales-invoice', 'number', d.invoiceNo);
    if (!inv) return no(`Faktur Penjualan "${str(d.invoiceNo)}" tidak ditemukan`);
    if (inv.customerNo !== b.customerNo)
      return no(`Faktur Penjualan "${str(d.invoiceNo)}" bukan milik pelanggan "${str(b.customerNo)}"`);
    const amount = Number(d.paymentAmount ?? 0);
    if (new Decimal(amount).gt(Number(inv.outstanding ?? 0)))
      return no(
        `Nilai pembayaran faktur "${str(d.invoiceNo)}" melebihi sisa piutang ${String(inv.outstanding)}`,
      );
    sum = sum.plus(amount);
    found.push([inv, amount]);
  }
  if (!sum.equals(Number(b.chequeAmount ?? 0)))
    return no(
      `Nilai penerimaan ${str(b.chequeAmount)} tidak sama dengan total pembayaran faktur ${sum.toFixed()}`,
    );
  for (const [inv, amount] of found)
    inv.outstanding = new Decimal(Number(inv.outstanding ?? 0)).minus(amount).toNumber();
  const r = store.insert('sales-receipt', { ...b, number: c.number });
  return { ok: true, r, message: 'Data Penerimaan Penjualan berhasil disimpan' };
}

function saveTransfer(store: DbStore, b: Body): Saved {
  const c = common(store, b, 'item-transfer', 'IT.2026.');
  if ('ok' in c) return c;
  const type = str(b.itemTransferType);
  if (type !== 'TRANSFER_OUT' && type !== 'TRANSFER_IN') return no('Tipe pemindahan harus diisi');
  for (const w of [b.warehouseName, b.referenceWarehouseName])
    if (!store.find('warehouse', 'name', w)) return no(`Gudang "${str(w)}" tidak ditemukan`);
  if (type === 'TRANSFER_IN') {
    const out = store.find('item-transfer', 'number', b.fromItemTransferNo);
    if (out?.itemTransferType !== 'TRANSFER_OUT')
      return no(
        `Pemindahan keluar "${str(b.fromItemTransferNo)}" tidak ditemukan: simpan transfer keluar lebih dahulu`,
      );
  }
  const ls = lines(b);
  const bad = itemsOk(store, ls, '-');
  if (bad) return no(bad);
  const sign = type === 'TRANSFER_OUT' ? -1 : 1;
  for (const l of ls) store.moveStock(str(l.itemNo), str(b.warehouseName), sign * Number(l.quantity ?? 1));
  const r = store.insert('item-transfer', { ...b, number: c.number });
  return { ok: true, r, message: 'Data Pemindahan Barang berhasil disimpan' };
}

function saveAdjustment(store: DbStore, b: Body): Saved {
  const c = common(store, b, 'item-adjustment', 'IA.2026.');
  if ('ok' in c) return c;
  if (!store.find('glaccount', 'no', b.adjustmentAccountNo))
    return no(`Akun penyesuaian "${str(b.adjustmentAccountNo)}" tidak ditemukan`);
  const ls = lines(b);
  const bad = itemsOk(store, ls);
  if (bad) return no(bad);
  for (const l of ls) {
    const sign = l.itemAdjustmentType === 'ADJUSTMENT_OUT' ? -1 : 1;
    store.moveStock(
      str(l.itemNo),
      str(l.warehouseName) || SHOP.warehouses[0],
      sign * Number(l.quantity ?? 0),
    );
  }
  const r = store.insert('item-adjustment', { ...b, number: c.number });
  return { ok: true, r, message: 'Data Penyesuaian Persediaan berhasil disimpan' };
}
