import { Decimal } from 'decimal.js';
import type { Connector, ReadQuery, ShiftClosed } from '../connectors/sdk/contract.js';
import type { Store } from '../store/index.js';
import type { Engine, RunResult } from './engine.js';
import { dependencyOrder } from './flow-order.js';

/** The cursor key under which a connection's last polled shift closing is kept. */
const polledKey = (connection: string) => `shifts:${connection}`;
/** The cursor key marking one shift as run by one flow (so a repeat notification runs nothing). */
const doneKey = (flow: string, shift: string) => `shift:${flow}:${shift}`;

/**
 * A register shift closed (seed 002's "on Register Shift Closing"): every enabled flow reading the
 * connection in shift-close mode runs on that shift's records — its window, and its register where
 * the source's entity takes a `register` filter — in dependency order, once per shift (a repeated
 * notification, or the poll finding a shift the notification already brought, runs nothing). Until
 * then nothing of these flows moves. A flow's run that failed as a whole is not marked done, so the
 * next notice of the shift or the next poll runs it again.
 */
export async function runShift(
  engine: Engine,
  store: Store,
  connection: string,
  shift: ShiftClosed,
): Promise<RunResult[]> {
  const flows = dependencyOrder(
    engine
      .flowNames()
      .map((n) => engine.flow(n))
      .filter((f) => f.enabled && f.syncMode === 'shift-close' && f.source === connection),
  );
  const source = engine.connector(connection);
  const manifest = source.manifest;
  // A notification that does not say when the shift opened: the source's list of closed shifts does.
  if (!shift.openedAt && source.closedShifts)
    shift = (await source.closedShifts(shift.closedAt)).find((s) => s.id === shift.id) ?? shift;
  const results: RunResult[] = [];
  for (const flow of flows) {
    if (await store.cursors.get(doneKey(flow.name, shift.id))) continue;
    const byRegister =
      shift.register !== undefined &&
      (manifest.entities[flow.entity]?.read?.filters ?? []).some((f) => f.name === 'register');
    const query: ReadQuery = {
      ...(shift.openedAt ? { since: shift.openedAt } : {}),
      until: shift.closedAt,
      ...(byRegister ? { filters: { register: [shift.register!] } } : {}),
    };
    const r = await engine.run(flow.name, { trigger: 'shift-close', query });
    results.push(r);
    if (r.status === 'failed') continue;
    await store.cursors.set(doneKey(flow.name, shift.id), shift.closedAt);
    // The shift's own figures against the sales it covers, said on the run that sent them.
    if (flow.entity === 'invoice' && shift.totals) {
      const check = await checkShiftTotals(source, shift, query);
      if (check) {
        await store.runs.note(r.runId, check.message);
        r.message = check.message;
        if (!check.agree) engine.logger.warn({ flow: flow.name, shift: shift.id }, check.message);
      }
    }
  }
  return results;
}

/**
 * The seed's check at a shift's closing: what the register says it sold and refunded against the
 * shift's sales as the source reads them (those the run sent), to the smallest unit of the currency.
 */
export async function checkShiftTotals(
  source: Connector,
  shift: ShiftClosed,
  query: ReadQuery,
): Promise<{ agree: boolean; message: string } | undefined> {
  const { sales, refunds } = shift.totals ?? {};
  if (!sales && !refunds) return undefined;
  let sold = new Decimal(0);
  let returned = new Decimal(0);
  for await (const page of source.read('invoice', query))
    for (const item of page) {
      const d = item.data as { type?: string; total?: { amount?: string } } | undefined;
      if (!d?.total?.amount) continue;
      if (d.type === 'credit_note') returned = returned.plus(d.total.amount);
      else sold = sold.plus(d.total.amount);
    }
  const parts: string[] = [];
  let agree = true;
  const compare = (what: string, stated: { amount: string; currency: string } | undefined, got: Decimal) => {
    if (!stated) return;
    const diff = got.minus(stated.amount);
    if (!diff.isZero()) agree = false;
    parts.push(
      diff.isZero()
        ? `${what} ${stated.amount} ${stated.currency}, as sent`
        : `${what} ${stated.amount} ${stated.currency} but the shift's records make ${got.toFixed()} (${diff.isPositive() ? '+' : ''}${diff.toFixed()})`,
    );
  };
  compare('sold', sales, sold);
  compare('refunded', refunds, returned);
  return {
    agree,
    message: `shift ${shift.id}${shift.register ? ` of register ${shift.register}` : ''}: ${parts.join('; ')}${agree ? '' : ' — check the register against the sales sent'}`,
  };
}

/**
 * The polling pass behind the notification: shifts closed since the last one seen, each run as
 * `runShift` does; the last closing seen is kept once its shift ran.
 */
export async function pollShifts(engine: Engine, store: Store, connection: string): Promise<RunResult[]> {
  const source = engine.connector(connection);
  if (!source.closedShifts) return [];
  const since = await store.cursors.get(polledKey(connection));
  const results: RunResult[] = [];
  for (const shift of await source.closedShifts(since)) {
    results.push(...(await runShift(engine, store, connection, shift)));
    await store.cursors.set(polledKey(connection), shift.closedAt);
  }
  return results;
}
