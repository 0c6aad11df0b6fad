import type { EntityName } from '../model/index.js';

/**
 * What a record moves, as oldest-first processing sees it: the stock positions (`stock:<sku>@<place>`)
 * its lines change, and for a transfer the transfer itself (`transfer:<number>`; a transfer-in names
 * its transfer-out's). A later record sharing any of them waits for an earlier one that has not
 * succeeded (seed 002: a transfer-in whose transfer-out never synced; a stock take after a failed
 * sale of the same item); a payment names the sale it pays (`doc:<number>`), which the sale holds
 * too. Customers and products: none.
 */
export function sequenceKeysOf(entity: EntityName, data: Record<string, unknown>): string[] {
  const lines = Array.isArray(data.lines) ? (data.lines as Array<Record<string, unknown>>) : [];
  const skus = [...new Set(lines.map((l) => l.sku).filter((s): s is string => typeof s === 'string' && !!s))];
  const at = (place: unknown) => (typeof place === 'string' && place ? place : '*');
  switch (entity) {
    case 'invoice':
      // A sale's payments wait for it (doc:), and what it sells for its positions (stock:).
      return [
        ...(typeof data.number === 'string' ? [`doc:${data.number}`] : []),
        ...skus.map((s) => `stock:${s}@${at(data.warehouse)}`),
      ];
    case 'payment': {
      const apps = Array.isArray(data.applications)
        ? (data.applications as Array<Record<string, unknown>>)
        : [];
      return [
        ...new Set(apps.map((a) => a.documentNumber).filter((n): n is string => typeof n === 'string')),
      ].map((n) => `doc:${n}`);
    }
    case 'stockCount':
      return skus.map((s) => `stock:${s}@${at(data.warehouse)}`);
    case 'stockTransfer': {
      const own = typeof data.number === 'string' ? [`transfer:${data.number}`] : [];
      const out = typeof data.outNumber === 'string' ? [`transfer:${data.outNumber}`] : [];
      return [
        ...own,
        ...out,
        ...skus.flatMap((s) => [
          `stock:${s}@${at(data.fromWarehouse)}`,
          `stock:${s}@${at(data.toWarehouse)}`,
        ]),
      ];
    }
    default:
      return [];
  }
}

/**
 * The key a sale heads: its payments name it (`doc:<number>`) and wait for it, never it for them —
 * whichever was tried first (a payment sent while its sale could not be read holds the sale's key
 * once it fails; the sale waiting for it in turn would leave both waiting for good).
 */
export function ownKeyOf(entity: EntityName, data: Record<string, unknown>): string | undefined {
  return entity === 'invoice' && typeof data.number === 'string' && data.number
    ? `doc:${data.number}`
    : undefined;
}

/**
 * When the record happened: its own time to the second where the source gives one, else the date
 * of the document, else when it was last changed.
 */
export function occurredAtOf(data: Record<string, unknown> | undefined, updatedAt: string): string {
  const t = data?.occurredAt ?? data?.invoiceDate ?? data?.paymentDate ?? data?.date;
  return typeof t === 'string' && t ? t : updatedAt;
}

/**
 * Entities whose records set a quantity outright (a stock take): two of them on one position must
 * reach the target in their order, so a page of them is written in runs that share no position.
 * Moves (sales, transfers) add up the same in any order within one ordered request.
 */
export const ABSOLUTE_ENTITIES: ReadonlySet<EntityName> = new Set(['stockCount']);
