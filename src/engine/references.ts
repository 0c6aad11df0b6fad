import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import type { Dependency, Flow } from './flow.js';

export type ReferenceState = { ok: true; targetId: string } | { ok: false; reason: string };

/**
 * Finds what a record refers to on the target (its customer, its products, its order) through the
 * link table. A pair of ids is known from either direction: a flow from this source to this target
 * links source id → target id, and a flow the other way links target id → source id — so a shipment
 * in Acumatica finds the Magento order it belongs to whether the order was born in Acumatica or in
 * Magento. The id map is the link table itself: nothing is stored twice.
 */
export class ReferenceResolver {
  constructor(
    private readonly store: Store,
    private readonly flows: ReadonlyMap<string, Flow>,
    /** Syncs these source ids through a flow now (a predecessor that is missing). */
    private readonly syncFirst: (flow: string, ids: readonly string[]) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Flows of the entity between the same two connections, in the same direction. */
  forward(entity: Flow['entity'], source: string, target: string): Flow[] {
    return [...this.flows.values()].filter(
      (f) => f.entity === entity && f.source === source && f.target === target,
    );
  }

  /** Flows of the entity running the other way: their targets are this direction's sources. */
  reverse(entity: Flow['entity'], source: string, target: string): Flow[] {
    return this.forward(entity, target, source);
  }

  /** The key a waiting record names its predecessor by, on the system that knows the id. */
  static waitKey(entity: Flow['entity'], connection: string, id: string): string {
    return `${entity}:${connection}:${id}`;
  }

  /** The target id of each id the records refer to, syncing missing ones first when asked to. */
  async resolve(
    from: Flow,
    dep: Dependency,
    ids: readonly string[],
    syncMissing: boolean,
  ): Promise<Map<string, ReferenceState>> {
    const out = new Map<string, ReferenceState>();
    await this.lookup(from, dep, ids, out);
    let missing = ids.filter((id) => !out.has(id));
    if (missing.length && syncMissing && dep.flow) {
      try {
        await this.syncFirst(dep.flow, missing);
      } catch (e) {
        this.logger.warn({ err: e, flow: dep.flow }, 'syncing what records refer to failed');
      }
      await this.lookup(from, dep, missing, out);
      missing = missing.filter((id) => !out.has(id));
    }
    if (missing.length) {
      const rows = dep.flow ? await this.store.records.getMany(dep.flow, missing) : new Map();
      for (const id of missing) {
        const row = rows.get(id);
        const reason = row
          ? `${row.state}${row.error_message ? `: ${row.error_message}` : row.reason ? `: ${row.reason}` : ''}`
          : dep.flow && syncMissing
            ? `not found in ${from.source}`
            : `not on ${from.target} yet`;
        out.set(id, { ok: false, reason });
      }
    }
    return out;
  }

  private async lookup(
    from: Flow,
    dep: Dependency,
    ids: readonly string[],
    out: Map<string, ReferenceState>,
  ): Promise<void> {
    let pending = ids.filter((id) => !out.has(id));
    for (const f of this.forward(dep.entity, from.source, from.target)) {
      if (pending.length === 0) return;
      for (const row of (await this.store.records.getMany(f.name, pending)).values())
        if (row.target_id) out.set(row.source_id, { ok: true, targetId: row.target_id });
      pending = pending.filter((id) => !out.has(id));
    }
    for (const f of this.reverse(dep.entity, from.source, from.target)) {
      if (pending.length === 0) return;
      for (const row of await this.store.records.byTargetIds(f.name, pending))
        if (row.target_id && !out.has(row.target_id))
          out.set(row.target_id, { ok: true, targetId: row.source_id });
      pending = pending.filter((id) => !out.has(id));
    }
  }
}
