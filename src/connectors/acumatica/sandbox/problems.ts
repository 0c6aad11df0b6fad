import type { RawEntity } from '../types.js';

/** A validation failure on one field: the path to it ("Details", 0, "InventoryID") and Acumatica's words. */
export interface Problem {
  path: ReadonlyArray<string | number>;
  message: string;
}

/**
 * A save Acumatica refuses: the API answers 422 with the record as sent, each refused field
 * carrying its `error`. Helpers used by tests throw it with every message in one line.
 */
export class SaveRefused extends Error {
  constructor(
    readonly resource: string,
    readonly record: RawEntity,
    readonly problems: readonly Problem[],
  ) {
    super(problems.map((p) => `${p.path.join('.') || resource}: ${p.message}`).join('; '));
    this.name = 'SaveRefused';
  }
}

/**
 * An action that cannot run in the document's state (confirming a confirmed shipment). Acumatica
 * reports it when the long-running operation ends: the status URL answers 500 with the message.
 */
export class ActionFailed extends Error {
  override name = 'ActionFailed';
}

/** Collects problems while a record is validated. */
export class Problems {
  readonly list: Problem[] = [];
  add(path: ReadonlyArray<string | number>, message: string): void {
    this.list.push({ path, message });
  }
  throwIfAny(resource: string, record: RawEntity): void {
    if (this.list.length) throw new SaveRefused(resource, record, this.list);
  }
}

/** "'Customer' cannot be found in the system." — Acumatica names the field by its label. */
export const notFound = (label: string): string => `'${label}' cannot be found in the system.`;
export const empty = (label: string): string => `'${label}' cannot be empty.`;

/** The record as sent, with each problem's message on its field and all of them on the record. */
export function withErrors(record: RawEntity, problems: readonly Problem[]): RawEntity {
  const out = structuredClone(record);
  for (const p of problems) {
    let node: Record<string | number, unknown> = out;
    const path = [...p.path];
    const field = path.pop();
    for (const seg of path) {
      const next = node[seg];
      if (!next || typeof next !== 'object') break;
      node = next as Record<string | number, unknown>;
    }
    if (field === undefined) continue;
    const cur = node[field];
    node[field] = { ...(cur && typeof cur === 'object' ? cur : {}), error: p.message };
  }
  out.error = problems.map((p) => p.message).join(' ');
  return out;
}
