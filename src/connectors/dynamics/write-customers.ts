import type { Customer } from '../../model/index.js';
import type { WriteItem, WriteResult } from '../sdk/contract.js';
import { failed, type Planned, refusal, sendPlanned } from './batch-writer.js';
import type { Row } from './client.js';
import {
  ACCOUNT_UPDATABLE,
  accountForCreate,
  accountForUpdate,
  contactsForCreate,
} from './mappers/customer.js';
import { FORMATTED } from './mappers/values.js';
import { idFromEntityUrl } from './odata.js';
import { DEFAULT_MAX_LENGTH } from './reference.js';
import { afterFailedChangeSet, rowsWhere, type WriteContext } from './write-context.js';

const typeLabel = (r: Row): string =>
  r.customertypecode === null || r.customertypecode === undefined
    ? 'no relationship type'
    : `relationship type ${r.customertypecode}${r[`customertypecode${FORMATTED}`] ? ` (${r[`customertypecode${FORMATTED}`]})` : ''}`;

/**
 * The length verdict on one account number: undefined when it fits, else the reason, which asks
 * for the column to be widened (QuickBooks full names are often longer than Dataverse's 20).
 */
export function accountNumberTooLong(number: string, max: number): string | undefined {
  return number.length > max
    ? `account number "${number}" is ${number.length} characters and the accountnumber column of account takes ${max}: widen the column in Dynamics 365 (Tables → Account → Columns → Account Number → Maximum character count, e.g. 100) and publish, as the manual's §4.2.2 asks`
    : undefined;
}

/**
 * Customers into accounts (§6.1). An account matches on accountnumber AND the configured relationship
 * type; a number found only under another type (or none) is refused, naming that account, rather than
 * creating a second one. New: the account and an associated contact, not made primary. Existing: only
 * credit limit, annual revenue and on hold, and only those the flow owns.
 */
export async function writeCustomers(ctx: WriteContext, items: readonly WriteItem[]): Promise<WriteResult[]> {
  const results = new Map<string, WriteResult>();
  const max =
    (await ctx.ref.maxLength('account', 'accountnumber')) ?? DEFAULT_MAX_LENGTH['account.accountnumber']!;
  const creates = items.filter((i) => i.action === 'create');
  const updates = items.filter((i) => i.action === 'update');

  const numbers = creates.map((i) => (i.data as Customer).number).filter((n) => n.length <= max);
  const existing = numbers.length
    ? await rowsWhere(
        ctx.client,
        'accounts',
        'accountnumber',
        numbers,
        'accountid,accountnumber,name,customertypecode',
      )
    : [];
  const byNumber = new Map<string, Row[]>();
  for (const r of existing) {
    const k = String(r.accountnumber);
    byNumber.set(k, [...(byNumber.get(k) ?? []), r]);
  }

  const planned: Planned[] = [];
  for (const item of creates) {
    const c = item.data as Customer;
    const tooLong = accountNumberTooLong(c.number, max);
    if (tooLong) {
      results.set(item.ref, failed(item.ref, refusal(tooLong, 'too_large')));
      continue;
    }
    const found = byNumber.get(c.number) ?? [];
    const same = found.find((r) => r.customertypecode === ctx.s.customerTypeCode);
    if (same) {
      results.set(
        item.ref,
        failed(
          item.ref,
          refusal(
            `Dynamics 365 already has account ${c.number} (id ${same.accountid}, "${same.name}")`,
            'duplicate',
          ),
        ),
      );
      continue;
    }
    const other = found[0];
    if (other) {
      results.set(
        item.ref,
        failed(
          item.ref,
          refusal(
            `account ${c.number} exists in Dynamics 365 as ${typeLabel(other)}, id ${other.accountid} ("${other.name}"); Ledgerlink matches only relationship type ${ctx.s.customerTypeCode} (setting customerTypeCode), so it will not create a second account with this number: set that account's relationship type to ${ctx.s.customerTypeCode} or change its account number`,
            'duplicate',
          ),
        ),
      );
      continue;
    }
    const currencyId = await ctx.ref.currencyId(c.currency);
    if (!currencyId) {
      results.set(
        item.ref,
        failed(
          item.ref,
          refusal(`customer ${c.number} is in ${c.currency}, a currency Dynamics 365 does not have`),
        ),
      );
      continue;
    }
    const account = {
      ...accountForCreate(c, ctx.s.customerTypeCode),
      'transactioncurrencyid@odata.bind': `/transactioncurrencies(${currencyId})`,
    };
    const contacts = contactsForCreate(c).map((body) => ({
      method: 'POST' as const,
      path: 'contacts',
      // Associated with the account; primarycontactid is never set (§6.1).
      body: { ...body, 'parentcustomerid_account@odata.bind': '$group:0' },
    }));
    planned.push({ ref: item.ref, ops: [{ method: 'POST', path: 'accounts', body: account }, ...contacts] });
  }

  // Etags of the accounts to update, when the engine did not bring them from lookup.
  const unknown = updates.filter(
    (i) => i.targetId && !(i.existing?.snapshot as Row | undefined)?.['@odata.etag'],
  );
  const etags = new Map<string, string>();
  if (unknown.length)
    for (const r of await rowsWhere(
      ctx.client,
      'accounts',
      'accountid',
      unknown.map((i) => i.targetId!),
      'accountid',
    ))
      etags.set(String(r.accountid), String(r['@odata.etag']));
  const patches = new Map<string, { id: string; body: Record<string, unknown>; number: string }>();
  for (const item of updates) {
    const c = item.data as Customer;
    if (!item.targetId) {
      results.set(item.ref, failed(item.ref, refusal(`an update of customer ${c.number} names no account`)));
      continue;
    }
    const owned = (item.fields ?? ACCOUNT_UPDATABLE).filter((f) =>
      (ACCOUNT_UPDATABLE as readonly string[]).includes(f),
    );
    if (!owned.length) {
      results.set(item.ref, {
        ref: item.ref,
        ok: true,
        action: 'skipped',
        targetId: item.targetId,
        reason:
          'an existing account takes only credit limit, annual revenue and on hold; its other fields are left as they are',
      });
      continue;
    }
    const etag =
      ((item.existing?.snapshot as Row | undefined)?.['@odata.etag'] as string | undefined) ??
      etags.get(item.targetId);
    const body = accountForUpdate(c, owned);
    patches.set(item.ref, { id: item.targetId, body, number: c.number });
    planned.push({
      ref: item.ref,
      ops: [
        { method: 'PATCH', path: `accounts(${item.targetId})`, body, headers: { 'If-Match': etag ?? '*' } },
      ],
    });
  }

  const sent = await sendPlanned(ctx.client, planned, ctx.s.batchSize);
  for (const item of items) {
    if (results.has(item.ref)) continue;
    const r = sent.get(item.ref);
    if (!r) continue;
    if (r.ok) {
      const id =
        item.action === 'create' ? idFromEntityUrl(r.responses[0]?.headers['odata-entityid']) : item.targetId;
      results.set(item.ref, {
        ref: item.ref,
        ok: true,
        targetId: id ?? '',
        action: item.action === 'create' ? 'created' : 'updated',
        exchanges: r.exchanges,
      });
      continue;
    }
    const patch = patches.get(item.ref);
    results.set(
      item.ref,
      await afterFailedChangeSet(
        ctx,
        item.ref,
        r.error,
        r.exchanges,
        patch && {
          entitySet: 'accounts',
          keyColumn: 'accountid',
          id: patch.id,
          body: patch.body,
          what: `account ${patch.number}`,
        },
      ),
    );
  }
  return items.map((i) => results.get(i.ref) ?? failed(i.ref, refusal('not written')));
}
