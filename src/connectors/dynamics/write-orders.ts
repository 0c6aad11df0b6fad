import type { SalesOrder } from '../../model/index.js';
import type { WriteItem, WriteResult } from '../sdk/contract.js';
import { failed, type Planned, refusal, sendPlanned } from './batch-writer.js';
import { isGuid } from './odata.js';
import { patchWithRetry, rowsWhere, type WriteContext } from './write-context.js';

/**
 * The one write a sales order takes (§7.3): once its invoice is in the accounts, the engine writes
 * externalNumber back, and the order gets the "uploaded" status reason and, when configured, the
 * invoice number in its text column. Orders are never created or otherwise changed from here.
 */
export async function writeOrders(ctx: WriteContext, items: readonly WriteItem[]): Promise<WriteResult[]> {
  const results = new Map<string, WriteResult>();
  const wanted: WriteItem[] = [];
  for (const item of items) {
    const number = (item.data as SalesOrder | undefined)?.number ?? item.targetId ?? item.ref;
    if (item.action !== 'update' || !item.targetId)
      results.set(
        item.ref,
        failed(item.ref, refusal(`sales orders are not created in Dynamics 365 (order ${number})`)),
      );
    else if (
      !(item.fields ?? []).includes('externalNumber') ||
      (item.fields ?? []).some((f) => f !== 'externalNumber')
    )
      results.set(
        item.ref,
        failed(
          item.ref,
          refusal(
            `order ${number}: only the write-back of the accounting invoice number (externalNumber) is written to a Dynamics 365 order; asked: ${(item.fields ?? []).join(', ') || 'every field'}`,
          ),
        ),
      );
    else wanted.push(item);
  }
  const byGuid = wanted.filter((i) => isGuid(i.targetId!)).map((i) => i.targetId!);
  const byNumber = wanted.filter((i) => !isGuid(i.targetId!)).map((i) => i.targetId!);
  const rows = [
    ...(byNumber.length
      ? await rowsWhere(ctx.client, 'salesorders', 'ordernumber', byNumber, 'salesorderid,ordernumber')
      : []),
    ...(byGuid.length
      ? await rowsWhere(ctx.client, 'salesorders', 'salesorderid', byGuid, 'salesorderid,ordernumber')
      : []),
  ];
  const find = (t: string) => rows.find((r) => r.ordernumber === t || r.salesorderid === t.toLowerCase());
  const planned: Planned[] = [];
  const patches = new Map<string, { id: string; body: Record<string, unknown>; number: string }>();
  for (const item of wanted) {
    const row = find(item.targetId!);
    if (!row) {
      results.set(
        item.ref,
        failed(item.ref, refusal(`Dynamics 365 has no sales order ${item.targetId}`, 'not_found')),
      );
      continue;
    }
    const invoiceNumber = (item.data as SalesOrder).externalNumber;
    const body: Record<string, unknown> = { statuscode: ctx.s.uploadedStatus };
    if (ctx.s.invoiceNumberField && invoiceNumber) body[ctx.s.invoiceNumberField] = invoiceNumber;
    const id = String(row.salesorderid);
    patches.set(item.ref, { id, body, number: String(row.ordernumber) });
    planned.push({
      ref: item.ref,
      ops: [
        {
          method: 'PATCH',
          path: `salesorders(${id})`,
          body,
          headers: { 'If-Match': String(row['@odata.etag'] ?? '*') },
        },
      ],
    });
  }
  const sent = await sendPlanned(ctx.client, planned, ctx.s.batchSize);
  for (const item of wanted) {
    if (results.has(item.ref)) continue;
    const r = sent.get(item.ref);
    const patch = patches.get(item.ref)!;
    if (r?.ok) {
      results.set(item.ref, {
        ref: item.ref,
        ok: true,
        targetId: patch.id,
        targetNumber: patch.number,
        action: 'updated',
        exchanges: r.exchanges,
      });
    } else if (r && r.error.httpStatus === 412) {
      const again = await patchWithRetry(
        ctx,
        'salesorders',
        'salesorderid',
        patch.id,
        patch.body,
        `order ${patch.number}`,
      );
      results.set(
        item.ref,
        again.ok
          ? { ref: item.ref, ok: true, targetId: patch.id, action: 'updated', exchanges: again.exchanges }
          : again.result(item.ref),
      );
    } else if (r) results.set(item.ref, failed(item.ref, r.error.toData(), r.exchanges));
  }
  return items.map((i) => results.get(i.ref) ?? failed(i.ref, refusal('not written')));
}
