import type { Flow } from './flow.js';

/**
 * Flows in the order a batch runs them: a flow whose records refer to another entity (an invoice's
 * customer and products) runs after the flows that bring that entity between the same two
 * connections, so what a record needs is there before it goes (the SYNC Uploader's "customers,
 * products, then invoices"), and after the flows it `runsAfter`. Flows with nothing between them keep
 * their configured order; a cycle
 * (which the catalog does not have) is broken where it is met.
 */
export function dependencyOrder(flows: readonly Flow[]): Flow[] {
  const pairOf = (f: Flow) => [f.source, f.target].sort().join('\u0000');
  const before = new Map<string, Set<string>>();
  for (const f of flows) {
    const needs = new Set<string>();
    for (const dep of f.dependencies) {
      for (const other of flows) {
        if (other === f || other.entity !== dep.entity) continue;
        // The flow named by the dependency, or any flow of that entity between the same connections.
        if (dep.flow ? dep.flow === other.name : pairOf(other) === pairOf(f)) needs.add(other.name);
      }
    }
    for (const name of f.runsAfter ?? [])
      if (name !== f.name && flows.some((o) => o.name === name)) needs.add(name);
    before.set(f.name, needs);
  }
  const done = new Set<string>();
  const order: Flow[] = [];
  const visiting = new Set<string>();
  const visit = (f: Flow) => {
    if (done.has(f.name) || visiting.has(f.name)) return;
    visiting.add(f.name);
    for (const name of before.get(f.name) ?? []) {
      const other = flows.find((x) => x.name === name);
      if (other) visit(other);
    }
    visiting.delete(f.name);
    done.add(f.name);
    order.push(f);
  };
  for (const f of flows) visit(f);
  return order;
}
