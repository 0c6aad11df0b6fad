import { Decimal } from 'decimal.js';
import { decimalToApiNumber, SalesOrder } from '../../model/index.js';
import type { References, TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { LedgerlinkError, rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { TrytonClient } from './client.js';
import type { Workplace } from './company.js';
import { encodeDate, encodeDecimal } from './json.js';
import type { Lookups } from './lookups.js';
import { orderProblem, totalsDiffer, unitPriceOf } from './mappers/sales-order.js';
import type { TrytonSettings } from './settings.js';
import { isTrue, type RawAddress, type RawSale, text } from './types.js';
import { writeEach } from './write-results.js';

/** References per search. */
const PER_SEARCH = 100;

/**
 * A web order is found on Tryton by its number, kept in the sale's reference; cancelled sales do
 * not count (a sale Ledgerlink withdrew after a refusal, see below).
 */
export function salesOrderKey(data: unknown): string | undefined {
  const d = data as { number?: unknown };
  return typeof d.number === 'string' && d.number ? `reference:${d.number}` : undefined;
}

/** What a product line needs from Tryton's own rules: the product's sale unit and its customer taxes. */
interface LineDefaults {
  unit: number;
  taxes: number[];
}

/** The states in which a sale that went wrong can still be taken back. */
const WITHDRAWABLE = new Set(['draft', 'quotation', 'confirmed']);

/**
 * Sales orders as a target. A web order becomes a draft sale with its lines and, when it has one,
 * a line of the shipping product; Tryton's own rules give each line its unit and taxes (the sale
 * line's on_change of the product, as the client does). The sale is quoted, its totals compared
 * with the order's to the cent, then confirmed and processed, which makes its shipment and its
 * invoice (sales are invoiced and shipped on order).
 *
 * A sale that Tryton refuses on the way (a product without an account category, a party without
 * an address) or whose totals differ is withdrawn (cancelled, kept for a person to look at) and the
 * order is a rejected record with Tryton's message: a retry after the data is fixed makes a new sale.
 */
export class SalesOrderTarget {
  constructor(
    private readonly client: TrytonClient,
    private readonly lookups: Lookups,
    private readonly s: TrytonSettings,
    private readonly workplace: () => Promise<Workplace>,
  ) {}

  async lookup(keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    const out = new Map<string, TargetRecord>();
    const refs = [...new Set(keys.filter((k) => k.startsWith('reference:')).map((k) => k.slice(10)))];
    const { companyId } = await this.workplace();
    for (let i = 0; i < refs.length; i += PER_SEARCH) {
      const found = await this.client.model<Array<RawSale>>(
        'sale.sale',
        'search_read',
        [
          [
            ['reference', 'in', refs.slice(i, i + PER_SEARCH)],
            ['state', '!=', 'cancelled'],
            ['company', '=', companyId],
          ],
          0,
          null,
          [['id', 'ASC']],
          ['reference', 'number', 'state'],
        ],
        { idempotent: true },
      );
      for (const sale of found) {
        const key = `reference:${sale.reference}`;
        // The oldest sale keeps the reference.
        if (sale.reference && !out.has(key)) out.set(key, { id: String(sale.id), snapshot: sale });
      }
    }
    return out;
  }

  write(items: readonly WriteItem[]): Promise<WriteResult[]> {
    return writeEach(
      items,
      (item) => `sales order ${(item.data as { number?: string }).number ?? item.ref}`,
      async (item, exchanges) => {
        if (item.action === 'create') return this.create(item, exchanges);
        // Nothing of a sale is owned after its creation: it is Tryton's document from then on.
        const id = item.targetId ?? '';
        return { ref: item.ref, ok: true, targetId: id, action: 'updated', exchanges };
      },
    );
  }

  private partyOf(o: SalesOrder, refs: References | undefined): number {
    if (o.guest) {
      if (this.s.guestCustomer && /^\d+$/.test(this.s.guestCustomer)) return Number(this.s.guestCustomer);
      throw rejected(
        'config',
        'it was placed without an account; set guestCustomer on the Tryton connection to the party id guest orders are booked to',
      );
    }
    const id = Number(refs?.customer?.[o.customerNumber]);
    if (Number.isInteger(id) && id > 0) return id;
    throw new LedgerlinkError({
      code: 'waiting_dependency',
      category: 'transient',
      message: `its customer ${o.customerNumber} is not in Tryton yet`,
    });
  }

  private productsOf(o: SalesOrder, refs: References | undefined): Map<string, number> {
    const out = new Map<string, number>();
    const missing: string[] = [];
    for (const l of o.lines) {
      const id = Number(refs?.product?.[l.sku]);
      if (Number.isInteger(id) && id > 0) out.set(l.sku, id);
      else missing.push(l.sku);
    }
    if (missing.length)
      throw new LedgerlinkError({
        code: 'waiting_dependency',
        category: 'transient',
        message: `its products ${[...new Set(missing)].join(', ')} are not in Tryton yet`,
      });
    return out;
  }

  /** The party's invoice and delivery addresses, as Tryton's client proposes them on a new sale. */
  private async addressesOf(party: number): Promise<Record<string, number>> {
    const addresses = await this.client.model<RawAddress[]>(
      'party.address',
      'search_read',
      [[['party', '=', party]], 0, null, null, ['invoice', 'delivery']],
      { idempotent: true },
    );
    const out: Record<string, number> = {};
    const invoice = addresses.find((a) => isTrue(a.invoice)) ?? addresses[0];
    const delivery = addresses.find((a) => isTrue(a.delivery)) ?? addresses[0];
    if (invoice) out.invoice_address = invoice.id;
    if (delivery) out.shipment_address = delivery.id;
    return out;
  }

  /** What Tryton's client would fill in when the product is chosen on a line of this party's sale. */
  private async lineDefaults(
    product: number,
    party: number,
    currency: number,
    o: SalesOrder,
    companyId: number,
  ): Promise<LineDefaults> {
    const [changes] = await this.client.model<Array<Record<string, unknown>>>(
      'sale.line',
      'on_change',
      [
        {
          type: 'line',
          product,
          unit: null,
          quantity: 1,
          taxes: [],
          sale: null,
          company: companyId,
          '_parent_sale.party': party,
          '_parent_sale.invoice_party': null,
          '_parent_sale.currency': currency,
          '_parent_sale.sale_date': encodeDate(o.orderDate),
        },
        ['product'],
      ],
      { idempotent: true },
    );
    const unit = changes?.unit;
    if (typeof unit !== 'number')
      throw rejected('invalid_data', `Tryton proposes no unit of sale for product ${product}`);
    // An x2Many change: {add: [[index, {id: …}], …]}.
    const added = (changes?.taxes as { add?: Array<[number, { id?: number }]> } | undefined)?.add ?? [];
    return { unit, taxes: added.map(([, t]) => t.id).filter((id): id is number => typeof id === 'number') };
  }

  private async create(item: WriteItem, exchanges: HttpExchange[]): Promise<WriteResult> {
    const parsed = SalesOrder.safeParse(item.data);
    if (!parsed.success)
      throw rejected('invalid_data', `the sales order is not valid: ${parsed.error.issues[0]?.message}`);
    const o = parsed.data;
    const problem = orderProblem(o);
    if (problem) throw rejected('invalid_data', `it was not sent: ${problem}`);
    const party = this.partyOf(o, item.refs);
    const products = this.productsOf(o, item.refs);
    const { companyId, warehouse } = await this.workplace();
    const currency = await this.lookups.currency(o.currency);
    const defaults = new Map<number, LineDefaults>();
    const defaultsOf = async (product: number) => {
      let d = defaults.get(product);
      if (!d) {
        d = await this.lineDefaults(product, party, currency, o, companyId);
        defaults.set(product, d);
      }
      return d;
    };
    const lines: Array<Record<string, unknown>> = [];
    const used = [...products.values()];
    for (const l of [...o.lines].sort((a, b) => a.lineNumber - b.lineNumber)) {
      const product = products.get(l.sku)!;
      const d = await defaultsOf(product);
      lines.push({
        type: 'line',
        // The web order's line number keeps the line's place: orders, shipments and invoices read
        // from Tryton number sale lines by their place (see line-numbers.ts).
        sequence: l.lineNumber,
        product,
        quantity: decimalToApiNumber(l.quantity),
        unit: d.unit,
        unit_price: encodeDecimal(unitPriceOf(l, o.number)),
        taxes: [['add', d.taxes]],
        ...(l.description ? { description: l.description } : {}),
      });
    }
    if (o.shippingTotal && !new Decimal(o.shippingTotal.amount).isZero()) {
      const shipping = await this.lookups.productByCode(this.s.shippingProduct);
      if (shipping === undefined)
        throw rejected(
          'unmapped_value',
          `Tryton has no shipping product "${this.s.shippingProduct}"; create a service product with that code, or name another in the connection's shippingProduct`,
        );
      const d = await defaultsOf(shipping);
      used.push(shipping);
      lines.push({
        type: 'line',
        sequence: Math.max(0, ...o.lines.map((l) => l.lineNumber)) + 1,
        product: shipping,
        quantity: 1,
        unit: d.unit,
        unit_price: encodeDecimal(o.shippingTotal.amount),
        taxes: [['add', d.taxes]],
        description: o.shipVia ? `Shipping (${o.shipVia})` : 'Shipping',
      });
    }
    const who = [o.customerName, o.customerEmail && `<${o.customerEmail}>`].filter(Boolean).join(' ');
    const values: Record<string, unknown> = {
      company: companyId,
      party,
      ...(await this.addressesOf(party)),
      reference: o.number,
      description: `Web order ${o.number}`,
      sale_date: encodeDate(o.orderDate),
      currency,
      warehouse: warehouse.id,
      lines: [['create', lines]],
    };
    if (o.guest && who) values.comment = `Guest: ${who}`;
    const [id] = await this.client.model<number[]>('sale.sale', 'create', [[values]], { record: exchanges });
    return this.process(item, o, id!, used, exchanges);
  }

  /** Whether any of the products has no account category (Tryton then neither taxes nor invoices it). */
  private async lacksAccountCategory(products: readonly number[]): Promise<boolean> {
    const rows = await this.client.model<Array<{ id: number; account_category?: number | null }>>(
      'product.product',
      'read',
      [[...new Set(products)], ['account_category']],
      { idempotent: true, context: { active_test: false } },
    );
    return rows.some((r) => typeof r.account_category !== 'number');
  }

  private async read(id: number): Promise<RawSale> {
    const [sale] = await this.client.model<RawSale[]>(
      'sale.sale',
      'read',
      [[id], ['number', 'state', 'untaxed_amount', 'tax_amount', 'total_amount', 'shipments', 'invoices']],
      { idempotent: true },
    );
    if (!sale) throw rejected('not_found', `Tryton has no sale ${id}`);
    return sale;
  }

  /** Quote, compare the totals, confirm, process; a refusal on the way withdraws the sale. */
  private async process(
    item: WriteItem,
    o: SalesOrder,
    id: number,
    products: readonly number[],
    exchanges: HttpExchange[],
  ): Promise<WriteResult> {
    const button = (name: string) => this.client.model('sale.sale', name, [[id]], { record: exchanges });
    try {
      await button('quote');
      const quoted = await this.read(id);
      const differs = totalsDiffer(o, quoted);
      const mismatch = (also = '') =>
        rejected(
          'conflict',
          `Tryton computed sale ${text(quoted.number) ?? id} (id ${id}), but ${differs}; check the products' account categories and taxes in Tryton${also}`,
        );
      // A product without an account category gets no taxes, so the totals differ; Tryton names the
      // cause itself when it processes the sale (it cannot invoice the product), so it is let through.
      if (differs && !(await this.lacksAccountCategory(products))) throw mismatch();
      await button('confirm');
      // Confirming queues the processing, which trytond runs after the answer when no worker is
      // configured; processing again is harmless and reports what went wrong in Tryton's words.
      await button('process');
      if (differs) throw mismatch('; the sale was confirmed all the same: check it in Tryton');
    } catch (e) {
      return this.afterFailure(item, id, e, exchanges);
    }
    const sale = await this.read(id);
    return {
      ref: item.ref,
      ok: true,
      targetId: String(id),
      ...(text(sale.number) ? { targetNumber: text(sale.number)! } : {}),
      action: 'created',
      exchanges,
    };
  }

  /**
   * A step failed. When the sale got through after all (an answer lost after Tryton processed it),
   * it is the result; else it is withdrawn so that a retry starts afresh, and the failure says so.
   */
  private async afterFailure(
    item: WriteItem,
    id: number,
    e: unknown,
    exchanges: HttpExchange[],
  ): Promise<WriteResult> {
    const error = toErrorData(e);
    if (error.category === 'config') throw e;
    let sale: RawSale | undefined;
    try {
      sale = await this.read(id);
    } catch {
      // Unreadable now: say what failed; the engine's lookup finds the sale if it exists.
    }
    const name = `Tryton sale ${text(sale?.number) ?? id} (id ${id})`;
    if (sale && (sale.state === 'processing' || sale.state === 'done') && error.category === 'transient') {
      const number = text(sale.number);
      return {
        ref: item.ref,
        ok: true,
        targetId: String(id),
        ...(number ? { targetNumber: number } : {}),
        action: 'created',
        exchanges,
      };
    }
    let after = '';
    if (sale && WITHDRAWABLE.has(sale.state ?? '')) {
      try {
        if (sale.state === 'confirmed')
          await this.client.model('sale.sale', 'draft', [[id]], { record: exchanges });
        await this.client.model('sale.sale', 'cancel', [[id]], { record: exchanges });
        after = 'The sale was cancelled, so a retry makes a new one.';
      } catch (c) {
        after = `The sale could not be cancelled (${toErrorData(c).message}): cancel it in Tryton before a retry.`;
      }
    }
    const said = error.message.startsWith('Tryton computed') ? error.message : `${name}: ${error.message}`;
    const message = after ? `${said}${/[.!?]$/.test(said) ? '' : '.'} ${after}` : said;
    const order = (item.data as { number?: string }).number ?? item.ref;
    return {
      ref: item.ref,
      ok: false,
      error: { ...error, message: `sales order ${order}: ${message}` },
      exchanges,
    };
  }
}
