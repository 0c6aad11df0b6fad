import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal records always serialise identically. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('base64url').slice(0, 32);
}

/** One short hash per owned field, stored as the link's last_hash so an update can name what changed. */
export function fieldHashes(
  record: Record<string, unknown>,
  fields: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) out[f] = hashOf(record[f] ?? null).slice(0, 12);
  return out;
}

/** The owned fields whose value differs from what was last written (all of them when nothing is known). */
export function changedFields(
  lastHash: string | null | undefined,
  now: Record<string, string>,
  fields: readonly string[],
): string[] {
  let before: Record<string, string> | undefined;
  try {
    before = lastHash ? (JSON.parse(lastHash) as Record<string, string>) : undefined;
  } catch {
    before = undefined;
  }
  if (!before || typeof before !== 'object') return [...fields];
  return fields.filter((f) => before[f] !== now[f]);
}
