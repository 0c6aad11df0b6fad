import { Decimal } from 'decimal.js';
import type { OrderLifecycle } from '../../model/index.js';

/**
 * What becomes of a web order's later life in Acumatica — its cancellation, hold and release, and
 * the money the shop captured and gave back — decided from the order as Acumatica has it now. Pure:
 * `planOrderChanges` only decides; `order-changes.ts` carries the plan out over the API.
 */

/** The connection setting "When a web order is cancelled" (lifecycle-settings.ts). */
export const CANCELLATION_POLICIES = ['cancel', 'hold', 'ignore'] as const;
export type CancellationPolicy = (typeof CANCELLATION_POLICIES)[number];

/** The sales order as read from Acumatica just before deciding. */
export interface OrderState {
  type: string;
  nbr: string;
  status: string;
  hold: boolean;
  customerId: string;
  currency: string;
  paymentMethod?: string;
  /** Totals/UnpaidBalance: what payments applied to the order have not covered. */
  unpaid: string;
  /** Its shipments' numbers (any status). */
  shipments: readonly string[];
  /** Acumatica has invoiced it (a shipment's invoice, or Completed): its money is the invoice's from then on. */
  invoiced: boolean;
}

/** A prepayment or refund Ledgerlink recorded for this order earlier (found by its PaymentRef). */
export interface MoneyDoc {
  type: string;
  ref: string;
  paymentRef: string;
  amount: string;
  status: string;
  /** For a refund: the prepayments it gave money back from. */
  from?: ReadonlyArray<{ type: string; ref: string; amount: string }>;
}

/** What the web order says now (the canonical order in Acumatica's codes). */
export interface WantedOrder {
  number: string;
  currency: string;
  lifecycle?: OrderLifecycle;
  paid?: string;
  refunded?: string;
  paymentMethod?: string;
}

/** One call to make, with what it means for the log (`note`). */
export type Step = { note: string } & (
  | {
      kind: 'prepayment';
      amount: string;
      paymentRef: string;
      paymentMethod: string;
      description: string;
    }
  | {
      kind: 'refund';
      amount: string;
      paymentRef: string;
      paymentMethod: string;
      from: ReadonlyArray<{ type: string; ref: string; amount: string }>;
      description: string;
    }
  | { kind: 'release'; type: string; ref: string }
  | { kind: 'cancel' }
  | { kind: 'hold'; hold: boolean }
);

export interface OrderPlan {
  /** The calls to make, in order: money first (a cancellation needs the prepayment refunded), then state. */
  steps: Step[];
  /** For the log: what was only noted (each step carries its own note). */
  notes: string[];
  /** Changes Acumatica cannot take, each with what a person can do: the write fails with these. */
  refusals: string[];
  /** A change deliberately left, by setting (logged as ignored). */
  ignored: string[];
  /** Owned fields settled once the steps succeed (done, already so, or noted). */
  written: string[];
}

export interface PlanInput {
  /** The owned fields that changed. */
  fields: readonly string[];
  wanted: WantedOrder;
  state: OrderState;
  docs: readonly MoneyDoc[];
  policy: CancellationPolicy;
  /** Release the prepayments and refunds recorded (the connection's setting), including any left unreleased. */
  release: boolean;
  /** Whether this flow last wrote the lifecycle as on_hold (undefined: it does not know). */
  heldByUs: boolean | undefined;
}

/** Statuses Cancel Order is available in (User Guide, Sales Order Cancellation: General Information). */
export const CANCELLABLE = ['On Hold', 'Open', 'Awaiting Payment', 'Credit Hold'];
/** Statuses in which an order has not left the warehouse and may be held. */
export const HOLDABLE = ['Open', 'On Hold', 'Credit Hold', 'Awaiting Payment', 'Back Order'];
/** Statuses of an order whose goods have started to leave: refunds are returns there. */
const SHIPPED = ['Shipping', 'Completed', 'Invoiced'];

const d = (v: string | undefined) => new Decimal(v ?? 0);
const fmt = (v: Decimal.Value, currency: string) => `${new Decimal(v).toFixed(2)} ${currency}`;
const live = (doc: MoneyDoc) => doc.status !== 'Voided';

/** The PaymentRef of what Ledgerlink records for a web order: the order number, then the shop's running total. */
export const paymentRefPrefix = (number: string) => `${number}/`;
export const prepaymentRef = (number: string, paid: Decimal.Value) =>
  `${paymentRefPrefix(number)}${new Decimal(paid).toFixed(2)}`;
export const refundRef = (number: string, refunded: Decimal.Value) =>
  `${paymentRefPrefix(number)}R${new Decimal(refunded).toFixed(2)}`;

/**
 * Decides what the changed owned fields of a web order make of its Acumatica sales order:
 *
 * - paidTotal: the money captured that no prepayment of ours holds yet becomes a prepayment
 *   applied to the order — never more than the order still owes (a payment a person entered is not
 *   paid twice); none on a cancelled order (Acumatica takes no payment for it).
 * - refundedTotal: money given back becomes a refund of our prepayments while the order has not
 *   shipped (Acumatica's own commerce connector does the same); once it has, a refund is a return
 *   a person enters, so it is noted with its amount.
 * - lifecycle: canceled and closed (refunded in full) cancel the order, or hold it, or leave it, by
 *   the connection's policy; on_hold holds it; open releases a hold this flow put on (never a hold
 *   a person put on, never a cancelled order). What Acumatica cannot take — an order with a
 *   shipment cannot be cancelled, a shipped one cannot be held — is refused with the reason.
 */
export function planOrderChanges(input: PlanInput): OrderPlan {
  const { fields, wanted, state, docs } = input;
  const plan: OrderPlan = { steps: [], notes: [], refusals: [], ignored: [], written: [] };
  const cur = wanted.currency;
  const so = `sales order ${state.type} ${state.nbr}`;
  const web = `web order ${wanted.number}`;
  const canceled = state.status === 'Canceled';
  const shipped = state.shipments.length > 0 || SHIPPED.includes(state.status);
  const method = wanted.paymentMethod ?? state.paymentMethod;

  const prepayments = docs.filter((x) => x.type === 'Prepayment' && live(x));
  const refunds = docs.filter((x) => x.type === 'Refund' && live(x));
  const prepaid = prepayments.reduce((s, x) => s.plus(x.amount), new Decimal(0));
  const refundedSoFar = refunds.reduce((s, x) => s.plus(x.amount), new Decimal(0));
  // A document recorded earlier whose release did not happen (the release failed, or was off).
  if (input.release && (fields.includes('paidTotal') || fields.includes('refundedTotal')))
    for (const x of [...prepayments, ...refunds].filter((doc) => doc.status === 'Balanced')) {
      plan.steps.push({
        kind: 'release',
        type: x.type,
        ref: x.ref,
        note: `${x.type.toLowerCase()} ${x.ref} released`,
      });
    }

  if (fields.includes('paidTotal')) {
    const missing = d(wanted.paid).minus(prepaid);
    const unpaid = Decimal.max(0, d(state.unpaid));
    // Once Acumatica has invoiced the order, its invoices travel to the shop (as Magento invoices,
    // which Magento counts as paid): what the shop's paid total gains then is that echo, not money
    // the shop captured, and recording it would pay the order twice.
    if (missing.lte(0) || state.invoiced) plan.written.push('paidTotal');
    else if (canceled)
      plan.refusals.push(
        `the shop captured ${fmt(missing, cur)} more for ${web}, but ${so} is Canceled and Acumatica takes no payment for a cancelled order; record the money in Acumatica (or reopen the order and retry)`,
      );
    else if (unpaid.lte(0)) {
      plan.notes.push(
        `the shop captured ${fmt(missing, cur)} for ${web}, but Acumatica already shows ${so} paid in full; no prepayment recorded (check the order's payments)`,
      );
      plan.written.push('paidTotal');
    } else if (!method)
      plan.refusals.push(
        `the shop captured ${fmt(missing, cur)} for ${web}, but neither it nor ${so} names a payment method to record the prepayment with; map the shop's payment method in valueMaps.paymentMethod and retry`,
      );
    else {
      const amount = Decimal.min(missing, unpaid);
      plan.steps.push({
        kind: 'prepayment',
        amount: amount.toFixed(2),
        paymentRef: prepaymentRef(wanted.number, d(wanted.paid)),
        paymentMethod: method,
        description: `${web}: captured ${fmt(amount, cur)}`,
        note: `prepayment of ${fmt(amount, cur)} applied to ${so} (captured in the shop)`,
      });
      if (amount.lt(missing))
        plan.notes.push(
          `${fmt(missing.minus(amount), cur)} more was captured than ${so} owes; not recorded (check the order's total)`,
        );
      plan.written.push('paidTotal');
    }
  }

  if (fields.includes('refundedTotal')) {
    const missing = d(wanted.refunded).minus(refundedSoFar);
    // What our prepayments still hold, including the one this plan records.
    const planned = plan.steps.find((x) => x.kind === 'prepayment');
    const holding = prepayments.map((x) => ({
      type: x.type,
      ref: x.ref,
      left: d(x.amount).minus(
        refunds
          .flatMap((r) => r.from ?? [])
          .reduce((s, f) => (f.ref === x.ref ? s.plus(f.amount) : s), new Decimal(0)),
      ),
    }));
    const available = holding.reduce((s, x) => s.plus(Decimal.max(0, x.left)), new Decimal(0));
    if (missing.lte(0)) plan.written.push('refundedTotal');
    else if (shipped) {
      plan.notes.push(
        `the shop refunded ${fmt(missing, cur)} of ${web}; ${so} has shipped, so in Acumatica the refund is a return: enter it there (a return order and its credit memo)`,
      );
      plan.written.push('refundedTotal');
    } else if (available.lte(0) || !method) {
      plan.notes.push(
        `the shop refunded ${fmt(missing, cur)} of ${web}; Acumatica holds no prepayment of it recorded by Ledgerlink${planned ? ' yet' : ''} to refund from: record the refund in Acumatica`,
      );
      plan.written.push('refundedTotal');
    } else {
      let left = Decimal.min(missing, available);
      const from: Array<{ type: string; ref: string; amount: string }> = [];
      for (const h of holding) {
        if (left.lte(0)) break;
        const take = Decimal.min(left, Decimal.max(0, h.left));
        if (take.lte(0)) continue;
        from.push({ type: h.type, ref: h.ref, amount: take.toFixed(2) });
        left = left.minus(take);
      }
      const amount = Decimal.min(missing, available);
      plan.steps.push({
        kind: 'refund',
        amount: amount.toFixed(2),
        paymentRef: refundRef(wanted.number, d(wanted.refunded)),
        paymentMethod: method,
        from,
        description: `${web}: refunded ${fmt(amount, cur)}`,
        note: `refund of ${fmt(amount, cur)} from prepayment ${from.map((f) => f.ref).join(', ')} (refunded in the shop)`,
      });
      if (amount.lt(missing))
        plan.notes.push(
          `${fmt(missing.minus(amount), cur)} more was refunded than Ledgerlink recorded; refund it in Acumatica`,
        );
      plan.written.push('refundedTotal');
    }
  }

  if (fields.includes('lifecycle')) lifecycle(input, plan, { so, web, canceled, shipped });
  return plan;
}

function lifecycle(
  { wanted, state, policy, heldByUs }: PlanInput,
  plan: OrderPlan,
  at: { so: string; web: string; canceled: boolean; shipped: boolean },
): void {
  const { so, web, canceled, shipped } = at;
  const where = `${so} is ${state.status}${state.shipments.length ? ` (shipment ${state.shipments.join(', ')})` : ''}`;
  const settle = (note?: string, step?: { kind: 'cancel' } | { kind: 'hold'; hold: boolean }) => {
    if (step && note) plan.steps.push({ ...step, note });
    else if (note) plan.notes.push(note);
    plan.written.push('lifecycle');
  };
  const wantedNow = wanted.lifecycle ?? 'open';
  if (wantedNow === 'canceled' || wantedNow === 'closed') {
    const what =
      wantedNow === 'closed'
        ? `${web} was refunded in full in the shop (closed)`
        : `${web} was cancelled in the shop`;
    if (policy === 'ignore')
      plan.ignored.push(
        `${what}; ${so} left as it is: ignored, as the Acumatica connection's setting "When a web order is cancelled" is ignore`,
      );
    else if (canceled)
      settle(); // already so: nothing to say
    else if (policy === 'hold') {
      if (state.hold) settle();
      else if (shipped || !HOLDABLE.includes(state.status))
        plan.refusals.push(
          `${what}, but Acumatica cannot put it on hold: ${where}; stop the shipment or enter a return in Acumatica`,
        );
      else
        settle(
          `${what}: ${so} put on hold for a person to decide (the connection's setting "When a web order is cancelled" is hold)`,
          { kind: 'hold', hold: true },
        );
    } else if (state.shipments.length > 0 || !CANCELLABLE.includes(state.status))
      plan.refusals.push(
        `${what}, but Acumatica cannot cancel ${so}: it cancels only orders without shipments that are On Hold, Open, Awaiting Payment or Credit Hold, and ${where}; cancel or return the shipment in Acumatica, then retry`,
      );
    else settle(`${what}: ${so} cancelled (CancelSalesOrder)`, { kind: 'cancel' });
  } else if (wantedNow === 'on_hold') {
    if (state.hold) settle();
    else if (canceled || shipped || !HOLDABLE.includes(state.status))
      plan.refusals.push(`${web} was put on hold in the shop, but Acumatica cannot hold ${so}: ${where}`);
    else settle(`${web} was put on hold in the shop: ${so} put on hold`, { kind: 'hold', hold: true });
  } else if (canceled)
    settle(`${web} is open in the shop; ${so} is Canceled and stays so (Ledgerlink reopens no order)`);
  else if (!state.hold) settle();
  else if (heldByUs)
    settle(`${web} was released from hold in the shop: ${so} taken off hold`, { kind: 'hold', hold: false });
  else settle(`${web} is open in the shop; ${so} stays on hold: Ledgerlink did not put it on hold`);
}
