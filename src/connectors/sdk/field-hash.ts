import { createHash } from 'node:crypto';
import type { WriteItem } from './contract.js';

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

/** The short hash the link table keeps of one owned field's value as last written. */
export function fieldHash(value: unknown): string {
  return hashOf(value ?? null).slice(0, 12);
}

/**
 * Whether an owned field was last written to the target with this value: true or false when the
 * link knows what it wrote, undefined when it does not (the record was linked before the flow owned
 * the field, or never written). A connector asks before undoing something it may not have done.
 */
export function lastWrittenAs(
  item: Pick<WriteItem, 'lastWritten'>,
  field: string,
  value: unknown,
): boolean | undefined {
  const known = item.lastWritten?.[field];
  return known === undefined ? undefined : known === fieldHash(value);
}
