import type { Connector, KnownCodes } from '../connectors/sdk/contract.js';
import type { Flow } from './flow.js';

type Row = Readonly<Record<string, string>>;

/** How long a save waits for a system to list its codes before it is saved unchecked. */
const LIST_TIMEOUT_MS = 10_000;
/** Known codes a refusal lists. */
const SHOWN = 10;

/**
 * The columns of a value map, in one order wherever it is shown: the connections of the flows that
 * use it, each flow's source first, in the order the configuration names the flows; then any other
 * connection its rows name, in the configuration's order of connections.
 */
export function valueMapColumns(
  name: string,
  rows: readonly Row[],
  flows: Iterable<Flow>,
  connections: Iterable<string>,
): string[] {
  const out = new Set<string>();
  for (const f of flows) {
    if (!Object.values(f.valueMaps).includes(name)) continue;
    out.add(f.source);
    out.add(f.target);
  }
  for (const c of connections) if (rows.some((r) => r[c] !== undefined)) out.add(c);
  for (const r of rows) for (const c of Object.keys(r)) out.add(c);
  return [...out];
}

/** Which fields of the canonical model a map translates on each connection, from the flows that use it. */
function fieldsByConnection(name: string, flows: Iterable<Flow>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of flows)
    for (const [field, map] of Object.entries(f.valueMaps)) {
      if (map !== name) continue;
      for (const c of [f.source, f.target]) {
        const set = out.get(c) ?? new Set<string>();
        set.add(field);
        out.set(c, set);
      }
    }
  return out;
}

export interface CodeCheck {
  /** One per code a system does not know: the row, the connection, the code, some it knows. */
  problems: string[];
  /** What was checked against what. */
  checked: string[];
  /** What could not be checked, and why. */
  unchecked: string[];
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
    }),
  ]);
}

/**
 * Checks each code of a value map's rows against the codes its connection's system knows, where the
 * system's API can list them (the connector's optional `knownCodes`). A system that cannot list
 * them, or does not answer, leaves its codes unchecked, and says so.
 */
export async function checkValueMapCodes(
  name: string,
  rows: readonly Row[],
  flows: Iterable<Flow>,
  connector: (connection: string) => Connector,
): Promise<CodeCheck> {
  const out: CodeCheck = { problems: [], checked: [], unchecked: [] };
  const used = fieldsByConnection(name, flows);
  const named = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  for (const conn of named) {
    const fields = used.get(conn);
    if (!fields?.size) {
      out.unchecked.push(
        `${conn}: no flow uses valueMaps.${name} with ${conn}, so its codes were not checked`,
      );
      continue;
    }
    for (const field of fields) {
      let c: Connector;
      let known: KnownCodes | undefined;
      try {
        c = connector(conn);
        known = c.knownCodes ? await withTimeout(c.knownCodes(field), LIST_TIMEOUT_MS, conn) : undefined;
      } catch (e) {
        out.unchecked.push(`${conn}: not checked (${(e as Error).message})`);
        continue;
      }
      if (!known) {
        out.unchecked.push(
          `${conn}: not checked — ${c.manifest.title}'s API cannot list the codes of ${field}`,
        );
        continue;
      }
      const codes = new Set(known.codes);
      out.checked.push(`${conn}: ${known.what} (${codes.size} known)`);
      rows.forEach((row, i) => {
        const code = row[conn];
        if (code === undefined || codes.has(code)) return;
        const some = [...codes].sort().slice(0, SHOWN);
        const more = codes.size > some.length ? `, … (${codes.size} in all)` : '';
        out.problems.push(
          `valueMaps.${name} row ${i + 1}: ${conn} (${c.manifest.title}) has no ${known.what.replace(/s$/, '')} "${code}"; ${
            some.length ? `it has ${some.join(', ')}${more}` : `it has none`
          }`,
        );
      });
    }
  }
  return out;
}
