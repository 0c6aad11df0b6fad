import type { Connector } from '../connectors/sdk/contract.js';
import { toErrorData } from '../connectors/sdk/errors.js';
import type { EntityName } from '../model/index.js';
import { validateRecord } from './validate.js';

export interface TargetReads {
  /** The target's records by id, canonical (validated when whole; as given when partial). */
  current: Map<string, Record<string, unknown>>;
  /** Why the target was not read (every id is then unknown, not missing). */
  unread?: string;
}

/**
 * A target's current records by id, for a dry run or a reconciliation: through its read when it
 * offers the entity as a source, else through `readWritten` (records it only writes, such as
 * Magento's invoices). Never when its reads go through a desktop program's queue (`queuedReads`),
 * where even a read would leave a request behind. Reads only.
 */
export async function readTargets(
  target: Connector,
  entity: EntityName,
  ids: readonly string[],
  purpose: string,
  signal?: AbortSignal,
): Promise<TargetReads> {
  const current = new Map<string, Record<string, unknown>>();
  if (ids.length === 0) return { current };
  const { title, entities, queuedReads } = target.manifest;
  const readable = !!entities[entity]?.read;
  if (queuedReads || (!readable && !target.readWritten))
    return { current, unread: `${title} is not read ${purpose}` };
  const keep = (item: { id: string; data?: unknown; error?: unknown }) => {
    if (item.error || !item.data) return;
    const valid = validateRecord(entity, item.id, item.data);
    current.set(item.id, valid.ok ? valid.data : (item.data as Record<string, unknown>));
  };
  const unique = [...new Set(ids)];
  try {
    if (readable) {
      for await (const page of target.read(entity, { ids: unique }, signal))
        for (const item of page) keep(item);
    } else for (const item of await target.readWritten!(entity, unique, signal)) keep(item);
    return { current };
  } catch (e) {
    return { current, unread: `${title} could not be read: ${toErrorData(e).message}` };
  }
}
