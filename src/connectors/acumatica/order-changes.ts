import { decimalToApiNumber, type SalesOrder, toDecimalString } from '../../model/index.js';
import { LedgerlinkError, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { AcumaticaClient } from './client.js';
import { allOf, anyOf, literal } from './odata.js';
import {
  type CancellationPolicy,
  type MoneyDoc,
  type OrderPlan,
  type OrderState,
  paymentRefPrefix,
  type Step,
  type WantedOrder,
} from './order-lifecycle.js';
import { orderTypesOf, type Settings } from './settings.js';
import { type RawPayment, type RawSalesOrder, str, val, wrap } from './types.js';

/** The owned fields of a web order's later life: what `OrderChanges` carries to Acumatica. */
export const LIFECYCLE_FIELDS = ['lifecycle', 'paidTotal', 'refundedTotal'] as const;

const num = (s: string) => wrap(decimalToApiNumber(s));
const decimal = (w: { value?: number | null } | undefined) => {
  const v = val(w);
  return typeof v === 'number' ? toDecimalString(v) : '0';
};

export function wantedOf(o: SalesOrder): WantedOrder {
  return {
    number: o.number,
    currency: o.currency,
    ...(o.lifecycle ? { lifecycle: o.lifecycle } : {}),
    ...(o.paidTotal ? { paid: o.paidTotal.amount } : {}),
    ...(o.refundedTotal ? { refunded: o.refundedTotal.amount } : {}),
    ...(o.paymentMethod ? { paymentMethod: o.paymentMethod } : {}),
  };
}

export function stateOf(raw: RawSalesOrder): OrderState {
  const paymentMethod = str(raw.PaymentMethod);
  return {
    type: str(raw.OrderType) ?? 'SO',
    nbr: str(raw.OrderNbr) ?? '',
    status: str(raw.Status) ?? '',
    hold: val(raw.Hold) === true,
    customerId: str(raw.CustomerID) ?? '',
    currency: str(raw.CurrencyID) ?? '',
    ...(paymentMethod ? { paymentMethod } : {}),
    unpaid: raw.Totals?.UnpaidBalance ? decimal(raw.Totals.UnpaidBalance) : decimal(raw.OrderTotal),
    shipments: (raw.Shipments ?? []).map((s) => str(s.ShipmentNbr)).filter((n): n is string => !!n),
    invoiced:
      ['Completed', 'Invoiced'].includes(str(raw.Status) ?? '') ||
      (raw.Shipments ?? []).some((s) => str(s.InvoiceNbr) !== undefined),
  };
}

/**
 * Carries a web order's later life to its Acumatica sales order over the contract-based API: reads
 * the order and the money documents recorded for it, then runs a plan's steps — a Prepayment
 * applied to the order (PUT Payment with OrdersToApply), a Refund of prepayments (PUT Payment with
 * DocumentsToApply), ReleasePayment, CancelSalesOrder (actions answer 202, then 204), and the Hold
 * check box (PUT SalesOrder).
 */
export class OrderChanges {
  constructor(
    private readonly client: AcumaticaClient,
    private readonly s: Settings,
  ) {}

  get policy(): CancellationPolicy {
    return this.s.webOrderCancellation ?? 'cancel';
  }

  get release(): boolean {
    return this.s.releasePayments ?? true;
  }

  /** The order as a decision needs it: status, hold, customer, unpaid balance, shipments (one GET). */
  async state(
    nbr: string,
    type: string | undefined,
    exchanges: HttpExchange[],
  ): Promise<OrderState | undefined> {
    const res = await this.client.entity<RawSalesOrder[]>({
      method: 'GET',
      path: 'SalesOrder',
      query: {
        $filter: allOf([anyOf('OrderType', type ? [type] : orderTypesOf(this.s)), anyOf('OrderNbr', [nbr])]),
        $expand: 'Totals,Shipments',
        $select:
          'OrderType,OrderNbr,Status,Hold,CustomerID,CurrencyID,PaymentMethod,OrderTotal,Totals/UnpaidBalance,Shipments/ShipmentNbr,Shipments/InvoiceNbr',
      },
      record: exchanges,
    });
    const [raw] = Array.isArray(res.body) ? res.body : [];
    return raw ? stateOf(raw) : undefined;
  }

  /**
   * The prepayments and refunds Ledgerlink recorded for the web order: PaymentRef starts with its
   * number; a prepayment counts when applied to this sales order, a refund when it refunds one of them.
   */
  async docs(number: string, state: OrderState, exchanges: HttpExchange[]): Promise<MoneyDoc[]> {
    const res = await this.client.entity<RawPayment[]>({
      method: 'GET',
      path: 'Payment',
      query: {
        $filter: `startswith(PaymentRef,${literal(paymentRefPrefix(number))})`,
        $expand: 'OrdersToApply,DocumentsToApply',
      },
      record: exchanges,
    });
    const rows = Array.isArray(res.body) ? res.body : [];
    const doc = (p: RawPayment): MoneyDoc => ({
      type: str(p.Type) ?? '',
      ref: str(p.ReferenceNbr) ?? '',
      paymentRef: str(p.PaymentRef) ?? '',
      amount: decimal(p.PaymentAmount),
      status: str(p.Status) ?? '',
    });
    const prepayments = rows
      .filter(
        (p) =>
          str(p.Type) === 'Prepayment' &&
          (p.OrdersToApply ?? []).some(
            (a) => str(a.OrderNbr) === state.nbr && (str(a.OrderType) ?? state.type) === state.type,
          ),
      )
      .map(doc);
    const ours = new Set(prepayments.map((p) => p.ref));
    const refunds = rows
      .filter((p) => str(p.Type) === 'Refund')
      .map((p) => ({
        ...doc(p),
        from: (p.DocumentsToApply ?? [])
          .filter((a) => str(a.DocType) === 'Prepayment' && ours.has(str(a.ReferenceNbr) ?? ''))
          .map((a) => ({ type: 'Prepayment', ref: str(a.ReferenceNbr)!, amount: decimal(a.AmountPaid) })),
      }))
      .filter((r) => r.from.length > 0);
    return [...prepayments, ...refunds];
  }

  /**
   * Runs the plan's steps in order and says what each did. A step that fails stops the rest and
   * throws, its message saying what was done before it (the next attempt finds those by their
   * PaymentRef and does not repeat them).
   */
  async apply(
    plan: OrderPlan,
    state: OrderState,
    wanted: WantedOrder,
    exchanges: HttpExchange[],
  ): Promise<string[]> {
    const done: string[] = [];
    for (const step of plan.steps) {
      try {
        const detail = await this.run(step, state, wanted, exchanges);
        done.push(detail ? `${step.note}: ${detail}` : step.note);
      } catch (e) {
        const err = toErrorData(e);
        if (err.category === 'config') throw e;
        throw new LedgerlinkError({
          ...err,
          message: `${done.length ? `${done.join('; ')}; then ` : ''}${describe(step, state)} failed: ${err.message}`,
        });
      }
    }
    return done;
  }

  /** Makes the step's calls; answers the number of the document it recorded, if any. */
  private async run(
    step: Step,
    state: OrderState,
    wanted: WantedOrder,
    exchanges: HttpExchange[],
  ): Promise<string> {
    const order = { OrderType: state.type, OrderNbr: state.nbr };
    switch (step.kind) {
      case 'prepayment':
      case 'refund': {
        const body: RawPayment = {
          Type: wrap(step.kind === 'prepayment' ? 'Prepayment' : 'Refund'),
          CustomerID: wrap(state.customerId),
          CurrencyID: wrap(wanted.currency),
          PaymentMethod: wrap(step.paymentMethod),
          PaymentAmount: num(step.amount),
          PaymentRef: wrap(step.paymentRef),
          Description: wrap(step.description),
          Hold: wrap(false),
        };
        if (step.kind === 'prepayment')
          body.OrdersToApply = [
            { OrderType: wrap(state.type), OrderNbr: wrap(state.nbr), AppliedToOrder: num(step.amount) },
          ];
        else
          body.DocumentsToApply = step.from.map((f) => ({
            DocType: wrap(f.type),
            ReferenceNbr: wrap(f.ref),
            AmountPaid: num(f.amount),
          }));
        const res = await this.client.entity<RawPayment>({
          method: 'PUT',
          path: 'Payment',
          body,
          query: { $select: 'Type,ReferenceNbr,Status' },
          record: exchanges,
        });
        const ref = str(res.body?.ReferenceNbr);
        const type = str(body.Type)!;
        if (!ref)
          throw new LedgerlinkError({
            code: 'server',
            category: 'transient',
            message: `Acumatica saved the ${type.toLowerCase()} but returned no ReferenceNbr`,
          });
        if (this.release)
          await this.client.invokeAction(
            'Payment',
            'ReleasePayment',
            { Type: type, ReferenceNbr: ref },
            {},
            { record: exchanges },
          );
        return `${type.toLowerCase()} ${ref}${this.release ? ', released' : ', not released (setting)'}`;
      }
      case 'release':
        await this.client.invokeAction(
          'Payment',
          'ReleasePayment',
          { Type: step.type, ReferenceNbr: step.ref },
          {},
          { record: exchanges },
        );
        return '';
      case 'cancel':
        await this.client.invokeAction('SalesOrder', 'CancelSalesOrder', order, {}, { record: exchanges });
        return '';
      case 'hold':
        await this.client.entity<RawSalesOrder>({
          method: 'PUT',
          path: 'SalesOrder',
          body: { OrderType: wrap(state.type), OrderNbr: wrap(state.nbr), Hold: wrap(step.hold) },
          headers: { 'if-match': '*' },
          query: { $select: 'OrderType,OrderNbr,Status' },
          record: exchanges,
        });
        return '';
    }
  }
}

function describe(step: Step, state: OrderState): string {
  const so = `sales order ${state.type} ${state.nbr}`;
  switch (step.kind) {
    case 'prepayment':
      return `recording the prepayment of ${step.amount} for ${so}`;
    case 'refund':
      return `recording the refund of ${step.amount} for ${so}`;
    case 'release':
      return `releasing ${step.type.toLowerCase()} ${step.ref}`;
    case 'cancel':
      return `cancelling ${so}`;
    case 'hold':
      return `${step.hold ? 'putting' : 'taking'} ${so} ${step.hold ? 'on' : 'off'} hold`;
  }
}
