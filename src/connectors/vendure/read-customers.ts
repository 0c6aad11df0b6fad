import type { ReadQuery, SourceItem } from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import { CUSTOMERS } from './documents.js';
import { customerFromVendure } from './mappers/customer.js';
import { allOf, type ListFilter, type ListQuery } from './paging.js';
import type { VendureCustomer } from './types.js';
import { dateRange, hasWindow, inWindow, isoFrom } from './window.js';

export const CUSTOMER_LIST: ListQuery = { document: CUSTOMERS, field: 'customers', what: 'read customers' };

/** A Vendure id as the default ID strategy gives them (an auto-increment integer). */
export const NUMERIC_ID = /^[1-9]\d{0,15}$/;

/**
 * The filter of a customer read: the window on updatedAt and the ids. (Vendure does not touch a
 * customer's updatedAt when an address is added or changed: a full read picks that up.) An ID file lists e-mails;
 * typed ids and get() use Vendure ids: both kinds OR together, so either finds its customer.
 */
export function customerFilter(q: ReadQuery, ids?: readonly string[]): ListFilter | undefined | null {
  if (q.filters && Object.keys(q.filters).length)
    throw configError(
      `Vendure customers have no batch filters besides dates and ids (asked for ${Object.keys(q.filters).join(', ')})`,
    );
  const all: ListFilter[] = [];
  if (hasWindow(q)) all.push({ updatedAt: dateRange(q) });
  if (ids) {
    const numbers = ids.filter((i) => NUMERIC_ID.test(i));
    const emails = ids.filter((i) => i.includes('@')).map((i) => i.trim().toLowerCase());
    const any: ListFilter[] = [
      ...(numbers.length ? [{ id: { in: numbers } }] : []),
      ...(emails.length ? [{ emailAddress: { in: emails } }] : []),
    ];
    // Ids that can name no customer need no request at all.
    if (!any.length) return null;
    all.push(any.length === 1 ? any[0]! : { _or: any });
  }
  return allOf(all);
}

/** Customers as source items; the source id is the Vendure id, which never changes. */
export function customerItems(
  q: ReadQuery,
  rows: readonly VendureCustomer[],
  currency: string,
): SourceItem[] {
  return rows
    .filter((c) => inWindow(q, c.updatedAt))
    .map((c): SourceItem => {
      const updatedAt = isoFrom(c.updatedAt);
      try {
        return { id: c.id, updatedAt, data: customerFromVendure(c, currency) };
      } catch (e) {
        return { id: c.id, updatedAt, error: toErrorData(e) };
      }
    });
}
