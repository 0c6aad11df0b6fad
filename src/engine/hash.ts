import { fieldHash } from '../connectors/sdk/field-hash.js';

export { hashOf, stableStringify } from '../connectors/sdk/field-hash.js';

/** One short hash per owned field, stored as the link's last_hash so an update can name what changed. */
export function fieldHashes(
  record: Record<string, unknown>,
  fields: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) out[f] = fieldHash(record[f]);
  return out;
}

/** The per-field hashes a link row keeps (its last_hash), or undefined when it keeps none or they cannot be read. */
export function parseHashes(lastHash: string | null | undefined): Record<string, string> | undefined {
  try {
    const parsed = lastHash ? (JSON.parse(lastHash) as unknown) : undefined;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, string>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The owned fields whose value differs from what was last written (all of them when nothing is known). */
export function changedFields(
  lastHash: string | null | undefined,
  now: Record<string, string>,
  fields: readonly string[],
): string[] {
  const before = parseHashes(lastHash);
  if (!before) return [...fields];
  return fields.filter((f) => before[f] !== now[f]);
}
