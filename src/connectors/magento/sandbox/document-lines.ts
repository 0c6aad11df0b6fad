import { Decimal } from 'decimal.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MagentoDocumentItemRequest, MagentoOrderItem } from '../sales-types.js';
import { authorised, type SandboxAuth } from './auth.js';
import { NO_SUCH_ENTITY } from './errors.js';
import { searchRoute } from './search.js';
import type { SandboxStore } from './store.js';

/**
 * The quantities a document asks for, per order item, summed; or, when it names none, everything
 * still open (`left`). Problems are worded as Magento's document validators word them.
 */
export function requestedLines(
  lines: readonly MagentoOrderItem[],
  asked: readonly MagentoDocumentItemRequest[] | undefined,
  left: (i: MagentoOrderItem) => Decimal,
  words: { unknown: (id: number) => string; tooMuch: (sku: string) => string; empty: string },
): { picked: Array<{ item: MagentoOrderItem; qty: Decimal }>; problems: string[] } {
  const want = new Map<MagentoOrderItem, Decimal>();
  const problems: string[] = [];
  if (!asked?.length) {
    for (const i of lines) if (left(i).gt(0)) want.set(i, left(i));
  } else {
    for (const a of asked) {
      const item = lines.find((i) => i.item_id === a.order_item_id);
      if (!item) problems.push(words.unknown(a.order_item_id));
      else want.set(item, (want.get(item) ?? new Decimal(0)).plus(a.qty));
    }
  }
  const picked: Array<{ item: MagentoOrderItem; qty: Decimal }> = [];
  for (const [item, qty] of want) {
    if (qty.gt(left(item))) problems.push(words.tooMuch(item.sku));
    else if (qty.gt(0)) picked.push({ item, qty });
  }
  if (picked.length === 0 && problems.length === 0) problems.push(words.empty);
  return { picked, problems };
}

/** The comment a shipment or an invoice is created with (ShipOrder / InvoiceOrder's `comment`), as stored. */
export function creationComments(
  store: SandboxStore,
  parentId: number,
  req: { comment?: { comment: string; is_visible_on_front: number }; notify?: boolean },
  at: string,
) {
  if (!req.comment?.comment) return [];
  return [
    {
      entity_id: store.nextId('comment'),
      parent_id: parentId,
      comment: req.comment.comment,
      is_customer_notified: req.notify ? 1 : 0,
      is_visible_on_front: req.comment.is_visible_on_front ? 1 : 0,
      created_at: at,
    },
  ];
}

/** GET <list> (searchCriteria) and GET <one>/:id of a document table, behind the ACL resource that reads it. */
export function documentReadRoutes<T extends object>(
  app: FastifyInstance,
  o: {
    prefix: string;
    store: SandboxStore;
    auth: SandboxAuth;
    resource: string;
    list: string;
    one: string;
    table: ReadonlyMap<number, T>;
  },
): void {
  app.get(`${o.prefix}${o.list}`, async (req: FastifyRequest, reply: FastifyReply) => {
    if (!(await authorised(o.auth, req, reply, o.resource))) return reply;
    return searchRoute(
      req,
      reply,
      [...o.table.values()],
      (d, f) => (d as Record<string, unknown>)[f],
      o.store.inputLimits,
    );
  });
  app.get<{ Params: { id: string } }>(`${o.prefix}${o.one}/:id`, async (req, reply) => {
    if (!(await authorised(o.auth, req, reply, o.resource))) return reply;
    return o.table.get(Number(req.params.id)) ?? reply.code(404).send(NO_SUCH_ENTITY);
  });
}
