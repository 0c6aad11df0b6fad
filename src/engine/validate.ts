import type { z } from 'zod';
import { type EntityName, entityKeyField, entitySchemas } from '../model/index.js';

const ENTITY_WORDS: Record<EntityName, string> = {
  customer: 'customer',
  product: 'product',
  salesOrder: 'sales order',
  shipment: 'shipment',
  invoice: 'invoice',
  payment: 'payment',
  stockTransfer: 'stock transfer',
  stockCount: 'stock count',
};

export const entityWord = (entity: EntityName): string => ENTITY_WORDS[entity];

function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** One sentence a person can act on: "customer C0042: email is not a valid e-mail address". */
export function describeIssues(entity: EntityName, id: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((i) => {
    const where = issuePath(i.path);
    if (i.code === 'invalid_type' && (i as { input?: unknown }).input === undefined)
      return `${where} is missing`;
    return where ? `${where} ${i.message}` : i.message;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more problems)` : '';
  return `${entityWord(entity)} ${id}: ${parts.join('; ')}${more}`;
}

export type Validated = { ok: true; data: Record<string, unknown> } | { ok: false; message: string };

export function validateRecord(entity: EntityName, id: string, data: unknown): Validated {
  const parsed = entitySchemas[entity].safeParse(data);
  if (parsed.success) return { ok: true, data: parsed.data as Record<string, unknown> };
  return { ok: false, message: describeIssues(entity, id, parsed.error) };
}

export const recordLabel = (
  entity: EntityName,
  data: Record<string, unknown> | undefined,
  id: string,
): string => String(data?.[entityKeyField[entity]] ?? id);
