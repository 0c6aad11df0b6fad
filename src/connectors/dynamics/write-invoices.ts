import { Decimal } from 'decimal.js';
import type { Invoice } from '../../model/index.js';
import type { WriteItem, WriteResult } from '../sdk/contract.js';
import { isLedgerlinkError, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import { failed, type Planned, refusal, sendPlanned } from './batch-writer.js';
import { num } from './mappers/values.js';
import { idFromEntityUrl, isGuid } from './odata.js';
import { DEFAULT_MAX_LENGTH } from './reference.js';
import { rowsWhere, type WriteContext } from './write-context.js';

/** The invoice number in Dynamics 365 (§6.3): the account number and the invoice number, hyphenated. */
export const invoiceKey = (accountNumber: string, invoiceNumber: string): string =>
  `${accountNumber}-${invoiceNumber}`;

/** Dataverse prices to the organization's pricing precision (2 unless changed) and totals to 2. */
const PRICE_DECIMALS = 2;

/** Σ(price per unit × quantity + tax), each line rounded as Dataverse rounds its extended amount. */
export function crmTotal(inv: Invoice): Decimal {
  return inv.lines.reduce(
    (sum, l) =>
      sum.plus(
        new Decimal(l.unitPrice.amount)
          .toDecimalPlaces(PRICE_DECIMALS, Decimal.ROUND_HALF_UP)
          .times(l.quantity)
          .toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
          .plus(l.tax.amount),
      ),
    new Decimal(0),
  );
}

/**
 * Invoices (§6.3), created once and never overwritten: invoicenumber and name = <account number>-<invoice
 * number>, on the configured price list, for the account the customer is linked to. Every line carries
 * its own price (ispriceoverridden), quantity, tax and description; a line whose item has no product in
 * Dynamics 365 is a write-in (isproductoverridden, productdescription); a unit missing from the unit group
 * is created in it. Discounts are not sent, so an invoice whose total would not come out to the source's
 * to the cent is refused before anything is written. The invoice and its lines are one deep insert.
 */
export async function writeInvoices(ctx: WriteContext, items: readonly WriteItem[]): Promise<WriteResult[]> {
  const results = new Map<string, WriteResult>();
  const priceList = await ctx.ref.priceList();
  const maxKey =
    (await ctx.ref.maxLength('invoice', 'invoicenumber')) ?? DEFAULT_MAX_LENGTH['invoice.invoicenumber']!;

  const creates: WriteItem[] = [];
  for (const item of items) {
    if (item.action === 'update') {
      results.set(item.ref, {
        ref: item.ref,
        ok: true,
        action: 'skipped',
        ...(item.targetId ? { targetId: item.targetId } : {}),
        reason: 'an invoice already in Dynamics 365 is never overwritten',
      });
    } else creates.push(item);
  }

  // The accounts the invoices are for, by the ids the customer links give: an account's GUID when
  // the link was made by writing the account here, its account number (this connector's id for a
  // customer it reads) when the link was made the other way, by the CRM → accounting customer flow.
  const refsOf = creates
    .map((i) => i.refs?.customer?.[(i.data as Invoice).customerNumber])
    .filter((x): x is string => !!x);
  const byGuid = refsOf.filter(isGuid);
  const byNumber = refsOf.filter((r) => !isGuid(r));
  const accounts = new Map<string, { accountid: string; accountnumber: string | null }>();
  for (const r of byGuid.length
    ? await rowsWhere(ctx.client, 'accounts', 'accountid', byGuid, 'accountid,accountnumber')
    : [])
    accounts.set(String(r.accountid), {
      accountid: String(r.accountid),
      accountnumber: r.accountnumber as string | null,
    });
  for (const r of byNumber.length
    ? await rowsWhere(
        ctx.client,
        'accounts',
        'accountnumber',
        byNumber,
        'accountid,accountnumber',
        `customertypecode eq ${ctx.s.customerTypeCode}`,
      )
    : [])
    accounts.set(String(r.accountnumber), {
      accountid: String(r.accountid),
      accountnumber: r.accountnumber as string | null,
    });

  // Products likewise: a GUID, or the product number when the link was made the other way.
  const productNumbers = creates.flatMap((i) =>
    (i.data as Invoice).lines
      .map((l) => (l.sku ? i.refs?.product?.[l.sku] : undefined))
      .filter((x): x is string => !!x && !isGuid(x)),
  );
  const productIdOf = new Map(
    (productNumbers.length
      ? await rowsWhere(ctx.client, 'products', 'productnumber', productNumbers, 'productid,productnumber')
      : []
    ).map((r) => [String(r.productnumber), String(r.productid)]),
  );
  const productFor = (ref: string | undefined) => (ref && !isGuid(ref) ? productIdOf.get(ref) : ref);

  const keyed: Array<{ item: WriteItem; inv: Invoice; key: string; accountId: string }> = [];
  for (const item of creates) {
    const inv = item.data as Invoice;
    const fail = (message: string, code: Parameters<typeof refusal>[1] = 'invalid_data') =>
      results.set(item.ref, failed(item.ref, refusal(message, code)));
    if (inv.type === 'credit_note') {
      results.set(item.ref, {
        ref: item.ref,
        ok: true,
        action: 'skipped',
        reason: `credit note ${inv.number} is not sent to Dynamics 365 (only invoices are, §6.3)`,
      });
      continue;
    }
    const accountRef = item.refs?.customer?.[inv.customerNumber];
    if (!accountRef) {
      fail(
        `invoice ${inv.number}: customer ${inv.customerNumber} has no account in Dynamics 365 yet`,
        'waiting_dependency',
      );
      continue;
    }
    const account = accounts.get(accountRef);
    const accountNumber = account?.accountnumber;
    if (!account || !accountNumber) {
      fail(
        account
          ? `invoice ${inv.number}: the account of customer ${inv.customerNumber} (id ${accountRef}) has no account number`
          : `invoice ${inv.number}: the account of customer ${inv.customerNumber} (id ${accountRef}) is no longer in Dynamics 365`,
        account ? 'invalid_data' : 'not_found',
      );
      continue;
    }
    const accountId = account.accountid;
    const key = invoiceKey(accountNumber, inv.number);
    if (key.length > maxKey) {
      fail(`invoice number ${key} is longer than the ${maxKey} characters invoicenumber takes`, 'too_large');
      continue;
    }
    const negative = inv.lines.find((l) => new Decimal(l.quantity).isNegative());
    if (negative) {
      fail(
        `invoice ${inv.number} line ${negative.lineNumber} has a negative quantity (${negative.quantity}); Dynamics 365 invoices take no returns: send it as a credit note in the accounts`,
      );
      continue;
    }
    const total = crmTotal(inv);
    if (!total.equals(inv.total.amount)) {
      fail(
        `invoice ${inv.number} would total ${total.toFixed(2)} in Dynamics 365 (Σ price × quantity + tax of its lines, discounts are not sent) but totals ${inv.total.amount} in the accounts; its lines' prices, discounts or tax do not add up to its total`,
      );
      continue;
    }
    keyed.push({ item, inv, key, accountId });
  }

  // Never a second invoice: the numbers already in Dynamics 365 are looked up again here.
  const existing = new Map(
    (keyed.length
      ? await rowsWhere(
          ctx.client,
          'invoices',
          'invoicenumber',
          keyed.map((k) => k.key),
          'invoiceid,invoicenumber',
        )
      : []
    ).map((r) => [String(r.invoicenumber), String(r.invoiceid)]),
  );

  const planned: Planned[] = [];
  const exchangesOf = new Map<string, HttpExchange[]>();
  for (const { item, inv, key, accountId } of keyed) {
    const there = existing.get(key);
    if (there) {
      results.set(item.ref, {
        ref: item.ref,
        ok: true,
        action: 'skipped',
        targetId: there,
        reason: `invoice ${key} is already in Dynamics 365 and is never overwritten`,
      });
      continue;
    }
    const currencyId = await ctx.ref.currencyId(inv.currency);
    if (!currencyId) {
      results.set(
        item.ref,
        failed(
          item.ref,
          refusal(`invoice ${inv.number} is in ${inv.currency}, a currency Dynamics 365 does not have`),
        ),
      );
      continue;
    }
    try {
      const exchanges: HttpExchange[] = [];
      exchangesOf.set(item.ref, exchanges);
      const details = [];
      for (const l of inv.lines) {
        const productId = productFor(l.sku ? item.refs?.product?.[l.sku] : undefined);
        const price = new Decimal(l.unitPrice.amount).toDecimalPlaces(PRICE_DECIMALS, Decimal.ROUND_HALF_UP);
        const base = price.times(l.quantity).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
        const line: Record<string, unknown> = {
          ispriceoverridden: true,
          priceperunit: price.toNumber(),
          quantity: num(l.quantity),
          tax: num(l.tax.amount),
          extendedamount: base.plus(l.tax.amount).toNumber(),
          lineitemnumber: l.lineNumber,
          sequencenumber: l.lineNumber,
        };
        if (l.description) line.description = l.description;
        if (productId) {
          line['productid@odata.bind'] = `/products(${productId})`;
          const unit = await ctx.ref.unit(l.unit ?? ctx.s.defaultUnit, exchanges);
          line['uomid@odata.bind'] = `/uoms(${unit.id})`;
        } else {
          // No product in Dynamics 365 for this item (Sage's S1/S2/S3 and M): a write-in product.
          line.isproductoverridden = true;
          line.productdescription = l.description ?? l.sku ?? `line ${l.lineNumber}`;
        }
        details.push(line);
      }
      const body: Record<string, unknown> = {
        invoicenumber: key,
        name: key,
        'customerid_account@odata.bind': `/accounts(${accountId})`,
        'pricelevelid@odata.bind': `/pricelevels(${priceList.id})`,
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${currencyId})`,
        ispricelocked: true,
        invoice_details: details,
      };
      if (inv.dueDate) body.duedate = inv.dueDate;
      planned.push({ ref: item.ref, ops: [{ method: 'POST', path: 'invoices', body }] });
    } catch (e) {
      if (isLedgerlinkError(e) && e.category === 'config') throw e;
      results.set(item.ref, failed(item.ref, toErrorData(e), exchangesOf.get(item.ref)));
    }
  }

  const sent = await sendPlanned(ctx.client, planned, ctx.s.batchSize);
  const created: Array<{ ref: string; id: string; inv: Invoice }> = [];
  for (const { item, inv } of keyed) {
    if (results.has(item.ref)) continue;
    const r = sent.get(item.ref);
    if (!r) continue;
    const exchanges = [...(exchangesOf.get(item.ref) ?? []), ...r.exchanges];
    if (!r.ok) {
      results.set(item.ref, failed(item.ref, r.error.toData(), exchanges));
      continue;
    }
    const id = idFromEntityUrl(r.responses[0]?.headers['odata-entityid']) ?? '';
    created.push({ ref: item.ref, id, inv });
    results.set(item.ref, { ref: item.ref, ok: true, targetId: id, action: 'created', exchanges });
  }

  // The totals as Dynamics 365 computed them, read back in one request: a difference is reported.
  if (created.length) {
    const totals = new Map(
      (
        await rowsWhere(
          ctx.client,
          'invoices',
          'invoiceid',
          created.map((c) => c.id),
          'invoiceid,totalamount',
        )
      ).map((r) => [String(r.invoiceid), r.totalamount as number]),
    );
    for (const c of created) {
      const got = totals.get(c.id);
      if (got !== undefined && !new Decimal(got).equals(c.inv.total.amount)) {
        const r = results.get(c.ref);
        if (r?.ok)
          results.set(c.ref, {
            ...r,
            reason: `Dynamics 365 totals invoice ${c.inv.number} at ${got}, the accounts at ${c.inv.total.amount}`,
          } as WriteResult);
      }
    }
  }
  return items.map((i) => results.get(i.ref) ?? failed(i.ref, refusal('not written')));
}
