import type { ShiftClosed } from '../connectors/sdk/contract.js';
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
    const r = await engine.run(flow.name, {
      trigger: 'shift-close',
      query: {
        ...(shift.openedAt ? { since: shift.openedAt } : {}),
        until: shift.closedAt,
        ...(byRegister ? { filters: { register: [shift.register!] } } : {}),
      },
    });
    results.push(r);
    if (r.status !== 'failed') await store.cursors.set(doneKey(flow.name, shift.id), shift.closedAt);
  }
  return results;
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
