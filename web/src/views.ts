// Which connection pairs the SYNC Uploader's two views fit, worked out from the configured flows and
// what their connectors declare — never from a system's name.
import { useMemo } from 'react';
import { api, type Flow, type FlowFilter, type Listing } from './api';
import { useData } from './hooks';

/** A source's search box: the `text` filter it declares for the flow's entity. */
export const textFilterOf = (f: Flow): FlowFilter | undefined => f.filters?.find((x) => x.kind === 'text');

/** A pair of connections and the flows between them, one way. */
export interface Pair {
  source: string;
  target: string;
  flows: Flow[];
}

const keyOf = (p: { source: string; target: string }) => `${p.source}\u0000${p.target}`;

/** The pairs whose flows' sources can be searched by the start of a reference, one flow per entity. */
function searchablePairs(flows: readonly Flow[]): Pair[] {
  const pairs = new Map<string, Pair>();
  for (const f of flows) {
    if (!textFilterOf(f)) continue;
    const key = keyOf(f);
    const pair = pairs.get(key) ?? { source: f.source, target: f.target, flows: [] };
    pair.flows.push(f);
    pairs.set(key, pair);
  }
  return [...pairs.values()];
}

/**
 * Order flows running back to a searchable pair's source — whether or not they sync customers and
 * products first (Sage 50 takes none from the CRM: its orders wait on no flow, yet §7 is its view).
 */
function orderPairsOf(flows: readonly Flow[], searchable: readonly Pair[]): Pair[] {
  const pairs = new Map<string, Pair>();
  for (const f of flows) {
    if (f.entity !== 'salesOrder') continue;
    if (!searchable.some((p) => p.source === f.target && p.target === f.source)) continue;
    const key = keyOf(f);
    const pair = pairs.get(key) ?? { source: f.source, target: f.target, flows: [] };
    pair.flows.push(f);
    pairs.set(key, pair);
  }
  return [...pairs.values()];
}

/**
 * The accounting view (§6: view the accounts' records, search them, upload a selection): the pairs
 * whose flows' sources can be searched by the start of a reference — one flow of the pair per entity.
 * A CRM whose records can be searched too (Dynamics 365) is still the CRM: the side whose orders go to
 * the accounts has the CRM view, not a second view under the same title.
 */
export function accountingPairs(flows: readonly Flow[]): Pair[] {
  const searchable = searchablePairs(flows);
  const crm = new Set(orderPairsOf(flows, searchable).map(keyOf));
  return searchable.filter(
    (p) => !crm.has(keyOf(p)) || crm.has(keyOf({ source: p.target, target: p.source })),
  );
}

/**
 * The CRM view (§7: scan the orders waiting and upload them): order flows running back to the source
 * of an accounting view.
 */
export function orderPairs(flows: readonly Flow[]): Pair[] {
  return orderPairsOf(flows, searchablePairs(flows));
}

export const viewPath = (kind: 'view' | 'crm-view', p: { source: string; target: string }): string =>
  `/${kind}/${encodeURIComponent(p.source)}/${encodeURIComponent(p.target)}`;

/** Each connection's system title ("Acumatica"), from its connector's manifest; the name until known. */
export function useConnectionTitles(): (connection: string) => string {
  const data = useData(() => api.connections(), []);
  return useMemo(() => {
    const titles = new Map((data.data?.connections ?? []).map((c) => [c.name, c.title]));
    return (connection: string) => titles.get(connection) ?? connection;
  }, [data.data]);
}

/** "Customer" → "Customers"; "Stock count" → "Stock counts". */
export const plural = (title: string): string => (title.endsWith('s') ? title : `${title}s`);

const NO_LISTINGS: Listing[] = [];

/** The lists a connection shows beside its entities (Sage 50's invoice items and transactions). */
export function useListings(connection: string): Listing[] {
  const data = useData(() => api.connections(), []);
  return useMemo(
    () => data.data?.connections.find((c) => c.name === connection)?.listings ?? NO_LISTINGS,
    [data.data, connection],
  );
}

/**
 * The Integration Data Check (seed 002): offered for two connections whose flows go oldest first —
 * the moves of stock and money that must be synchronized "from the very beginning". One screen per
 * pair, from the side with the most such flows (its synchronization status) to the other, whose
 * webhooks bring the rest (its webhook log); a tie goes to the name first in order.
 */
export function checkPairs(flows: readonly Flow[]): Pair[] {
  const directed = new Map<string, Pair>();
  for (const f of flows) {
    if (!f.oldestFirst) continue;
    const pair = directed.get(keyOf(f)) ?? { source: f.source, target: f.target, flows: [] };
    pair.flows.push(f);
    directed.set(keyOf(f), pair);
  }
  const chosen: Pair[] = [];
  for (const p of directed.values()) {
    const back = directed.get(keyOf({ source: p.target, target: p.source }));
    const wins =
      !back ||
      p.flows.length > back.flows.length ||
      (p.flows.length === back.flows.length && p.source < p.target);
    if (wins) chosen.push(p);
  }
  return chosen;
}

export const checkPath = (p: { source: string; target: string }): string =>
  `/check/${encodeURIComponent(p.source)}/${encodeURIComponent(p.target)}`;
