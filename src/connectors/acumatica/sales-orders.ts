import { Decimal } from 'decimal.js';
import { SalesOrder } from '../../model/index.js';
import type { References, TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { LedgerlinkError, rejected, toErrorData } from '../sdk/errors.js';
import { lastWrittenAs } from '../sdk/field-hash.js';
import type { HttpExchange } from '../sdk/http.js';
import type { AcumaticaClient } from './client.js';
import { salesOrderToAcumatica, totalsDiffer, totalsProblem } from './mappers/sales-order.js';
import { allOf, anyOf } from './odata.js';
import { LIFECYCLE_FIELDS, OrderChanges, stateOf, wantedOf } from './order-changes.js';
import { type OrderPlan, planOrderChanges } from './order-lifecycle.js';
import { orderTypesOf, type Settings } from './settings.js';
import { type RawSalesOrder, str, wrap } from './types.js';

/** ids per request, as for reads. */
const PER_REQUEST = 25;

/**
 * Finds an order on Acumatica: by its Acumatica number when the record knows it (externalNumber,
 * written back after an earlier sync), else by the web order's number kept in ExternalRef.
 */
export function salesOrderKey(data: unknown): string | undefined {
  const d = data as { number?: unknown; externalNumber?: unknown };
  if (typeof d.externalNumber === 'string' && d.externalNumber) return `OrderNbr:${d.externalNumber}`;
  return typeof d.number === 'string' && d.number ? `ExternalRef:${d.number}` : undefined;
}

/**
 * Sales orders as a target: natural-key lookup, create from a web order, write-back of its number,
 * and the web order's later life (order-lifecycle.ts): its cancellation, hold and release, and the
 * money the shop captured and gave back.
 */
export class SalesOrderTarget {
  private readonly changes: OrderChanges;

  constructor(
    private readonly client: AcumaticaClient,
    private readonly s: Settings,
  ) {
    this.changes = new OrderChanges(client, s);
  }

  private async find(filter: string): Promise<RawSalesOrder[]> {
    const res = await this.client.entity<RawSalesOrder[]>({
      method: 'GET',
      path: 'SalesOrder',
      query: { $filter: filter, $select: 'OrderType,OrderNbr,ExternalRef' },
    });
    return Array.isArray(res.body) ? res.body : [];
  }

  /** Both kinds of key in as few calls as the URL allows; the target id is the OrderNbr. */
  async lookup(keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    const out = new Map<string, TargetRecord>();
    const byKind = { OrderNbr: [] as string[], ExternalRef: [] as string[] };
    for (const k of keys) {
      const at = k.indexOf(':');
      const kind = k.slice(0, at);
      if (kind === 'OrderNbr' || kind === 'ExternalRef') byKind[kind].push(k.slice(at + 1));
    }
    for (const [kind, values] of Object.entries(byKind) as Array<[keyof typeof byKind, string[]]>) {
      for (let i = 0; i < values.length; i += PER_REQUEST) {
        const chunk = values.slice(i, i + PER_REQUEST);
        const filter =
          kind === 'OrderNbr'
            ? allOf([anyOf('OrderType', orderTypesOf(this.s)), anyOf('OrderNbr', chunk)])!
            : anyOf('ExternalRef', chunk);
        for (const r of await this.find(filter)) {
          const id = str(r.OrderNbr);
          const value = str(r[kind]);
          // The first order found keeps the key: Acumatica lists in key order, so it is the oldest.
          if (id && value && !out.has(`${kind}:${value}`)) out.set(`${kind}:${value}`, { id, snapshot: r });
        }
      }
    }
    return out;
  }

  async write(items: readonly WriteItem[]): Promise<WriteResult[]> {
    return Promise.all(
      items.map(async (item): Promise<WriteResult> => {
        const exchanges: HttpExchange[] = [];
        try {
          return item.action === 'create'
            ? await this.create(item, exchanges)
            : await this.update(item, exchanges);
        } catch (e) {
          const err = toErrorData(e);
          if (err.category === 'config') throw e;
          if (err.httpStatus === 412 && item.action === 'update') {
            err.code = 'not_found';
            err.message = `Acumatica has no sales order ${item.targetId} of the types ${this.s.orderTypes}`;
          }
          return { ref: item.ref, ok: false, error: err, exchanges };
        }
      }),
    );
  }

  private customerOf(o: SalesOrder, refs: References | undefined): string {
    if (o.guest) {
      if (this.s.guestCustomerId) return this.s.guestCustomerId;
      throw rejected(
        'config',
        `sales order ${o.number} was placed without an account; set guestCustomerId on the Acumatica connection to the customer guest orders are booked to`,
      );
    }
    const id = refs?.customer?.[o.customerNumber];
    if (id) return id;
    throw new LedgerlinkError({
      code: 'waiting_dependency',
      category: 'transient',
      message: `sales order ${o.number}: its customer ${o.customerNumber} is not in Acumatica yet`,
    });
  }

  private async create(item: WriteItem, exchanges: HttpExchange[]): Promise<WriteResult> {
    const parsed = SalesOrder.safeParse(item.data);
    if (!parsed.success)
      throw rejected('invalid_data', `the sales order is not valid: ${parsed.error.issues[0]?.message}`);
    const o = parsed.data;
    if (o.lifecycle === 'canceled' || o.lifecycle === 'closed')
      return {
        ref: item.ref,
        ok: true,
        action: 'skipped',
        reason: `web order ${o.number} was ${o.lifecycle === 'closed' ? 'refunded in full (closed)' : 'cancelled'} in the shop before it reached Acumatica; not created`,
      };
    const problem = totalsProblem(o);
    if (problem) throw rejected('invalid_data', `sales order ${o.number} was not sent: ${problem}`);
    const body = salesOrderToAcumatica(o, {
      orderType: o.orderType ?? this.s.defaultOrderType,
      customerId: this.customerOf(o, item.refs),
      inventoryIds: item.refs?.product ?? {},
    });
    // Held in the shop: held here from the start, so nothing ships before someone releases it.
    if (o.lifecycle === 'on_hold') body.Hold = wrap(true);
    // No key is sent: Acumatica numbers the order from the order type's sequence.
    const res = await this.client.entity<RawSalesOrder>({
      method: 'PUT',
      path: 'SalesOrder',
      body,
      query: { $expand: 'Totals' },
      record: exchanges,
    });
    const nbr = str(res.body?.OrderNbr);
    if (!nbr)
      throw rejected('invalid_data', `Acumatica saved sales order ${o.number} but returned no OrderNbr`);
    const differs = totalsDiffer(o, res.body);
    if (differs)
      throw rejected(
        'conflict',
        `Acumatica created sales order ${nbr} for ${o.number}, but ${differs}; check the order in Acumatica`,
      );
    const created = {
      ref: item.ref,
      ok: true as const,
      targetId: nbr,
      targetNumber: nbr,
      action: 'created' as const,
      exchanges,
    };
    if (!isPositive(o.paidTotal?.amount) && !isPositive(o.refundedTotal?.amount)) return created;
    // Money captured before the order reached Acumatica: a prepayment applied to it at once. The
    // order exists whatever becomes of it, so a failure only leaves the money to the next attempt.
    const money = ['paidTotal', 'refundedTotal'];
    const wanted = wantedOf(o);
    const state = stateOf(res.body);
    const plan = planOrderChanges({
      fields: money,
      wanted,
      state,
      docs: [],
      policy: this.changes.policy,
      release: this.changes.release,
      heldByUs: undefined,
    });
    try {
      const done = await this.changes.apply(plan, state, wanted, exchanges);
      const said = [...done, ...plan.notes, ...plan.refusals];
      return {
        ...created,
        pending: plan.refusals.length ? money : money.filter((f) => !plan.written.includes(f)),
        ...(said.length ? { reason: `created ${nbr}; ${said.join('; ')}` } : {}),
      };
    } catch (e) {
      const err = toErrorData(e);
      if (err.category === 'config') throw e;
      return {
        ...created,
        pending: money,
        reason: `created ${nbr}, but the money the shop captured is not recorded yet (it is tried again with the order's next change or a retry): ${err.message}`,
      };
    }
  }

  /**
   * Writes only the owned fields Acumatica can change on an existing order: ExternalRef, and the
   * web order's later life (lifecycle, paidTotal, refundedTotal — see `lifeOf`).
   */
  private async update(item: WriteItem, exchanges: HttpExchange[]): Promise<WriteResult> {
    const nbr = item.targetId;
    if (!nbr) throw rejected('missing_field', 'an update needs the Acumatica OrderNbr');
    const fields = item.fields ?? [];
    const life = fields.filter((f) => (LIFECYCLE_FIELDS as readonly string[]).includes(f));
    if (fields.includes('externalNumber')) await this.writeExternalRef(item, nbr, exchanges);
    if (life.length === 0)
      return { ref: item.ref, ok: true, targetId: nbr, targetNumber: nbr, action: 'updated', exchanges };
    return this.lifeOf(item, nbr, life, fields.includes('externalNumber'), exchanges);
  }

  /**
   * The web order's later life on its sales order: reads the order (and the money documents
   * recorded for it when money changed), decides (`planOrderChanges`) and carries the plan out.
   * Refused changes fail the record with the reason, after whatever else the plan could do; a
   * change only noted or deliberately ignored is a skipped record; an order already as asked is
   * unchanged.
   */
  private async lifeOf(
    item: WriteItem,
    nbr: string,
    fields: readonly string[],
    wroteExternalRef: boolean,
    exchanges: HttpExchange[],
  ): Promise<WriteResult> {
    const parsed = SalesOrder.safeParse(item.data);
    if (!parsed.success)
      throw rejected('invalid_data', `the sales order is not valid: ${parsed.error.issues[0]?.message}`);
    const wanted = wantedOf(parsed.data);
    const knownType = str((item.existing?.snapshot as RawSalesOrder | undefined)?.OrderType);
    const state = await this.changes.state(nbr, knownType, exchanges);
    if (!state)
      throw rejected('not_found', `Acumatica has no sales order ${nbr} of the types ${this.s.orderTypes}`);
    const money = fields.includes('paidTotal') || fields.includes('refundedTotal');
    const plan: OrderPlan = planOrderChanges({
      fields,
      wanted,
      state,
      docs: money ? await this.changes.docs(wanted.number, state, exchanges) : [],
      policy: this.changes.policy,
      release: this.changes.release,
      heldByUs: lastWrittenAs(item, 'lifecycle', 'on_hold'),
    });
    const done = await this.changes.apply(plan, state, wanted, exchanges);
    if (plan.refusals.length)
      throw rejected('conflict', [...done, ...plan.notes, ...plan.refusals].join('; '));
    const reason = [...done, ...plan.notes, ...plan.ignored].join('; ');
    const pending = fields.filter((f) => !plan.written.includes(f));
    const base = { ref: item.ref, ok: true as const, targetId: nbr, pending, exchanges };
    if (done.length || wroteExternalRef)
      return { ...base, targetNumber: nbr, action: 'updated', ...(reason ? { reason } : {}) };
    if (reason) return { ...base, action: 'skipped', reason };
    return { ...base, action: 'unchanged', reason: `sales order ${state.type} ${nbr} already as asked` };
  }

  /** ExternalRef, the web order's number kept on the sales order. */
  private async writeExternalRef(item: WriteItem, nbr: string, exchanges: HttpExchange[]): Promise<void> {
    const d = item.data as { externalNumber?: string };
    const body: RawSalesOrder = { ExternalRef: wrap(d.externalNumber ?? '') };
    body.OrderType = wrap(await this.orderTypeOf(nbr, item));
    body.OrderNbr = wrap(nbr);
    await this.client.entity<RawSalesOrder>({
      method: 'PUT',
      path: 'SalesOrder',
      body,
      headers: { 'if-match': '*' },
      query: { $select: 'OrderType,OrderNbr' },
      record: exchanges,
    });
  }

  /** The order's type: from the lookup's snapshot when the engine has it, else asked for. */
  private async orderTypeOf(nbr: string, item: WriteItem): Promise<string> {
    const known = str((item.existing?.snapshot as RawSalesOrder | undefined)?.OrderType);
    if (known) return known;
    const [found] = await this.find(
      allOf([anyOf('OrderType', orderTypesOf(this.s)), anyOf('OrderNbr', [nbr])])!,
    );
    const type = str(found?.OrderType);
    if (!type)
      throw rejected('not_found', `Acumatica has no sales order ${nbr} of the types ${this.s.orderTypes}`);
    return type;
  }
}

const isPositive = (amount: string | undefined) => amount !== undefined && new Decimal(amount).gt(0);
