import type { Address, Contact, Customer } from '../../../model/index.js';
import type { References } from '../../sdk/contract.js';
import { type Node, ordered, text } from '../qbxml.js';
import type { Settings } from '../settings.js';
import { amount, bool, countryCode, currencyOf, qbAmount, unwritable, utc, within } from './common.js';

/** The longest customer Name QuickBooks takes (CustomerAdd/Name). */
export const NAME_MAX = 41;

function address(
  a: Node | undefined,
  kind: Address['kind'],
  s: Settings,
): Record<string, unknown> | undefined {
  if (!a) return undefined;
  const line1 = text(a.Addr1);
  if (!line1) return undefined;
  const line2 = [a.Addr2, a.Addr3, a.Addr4, a.Addr5].map(text).filter(Boolean).join(', ');
  return {
    kind,
    line1,
    ...(line2 ? { line2 } : {}),
    ...(text(a.City) ? { city: text(a.City) } : {}),
    ...(text(a.State) ? { region: text(a.State) } : {}),
    ...(text(a.PostalCode) ? { postalCode: text(a.PostalCode) } : {}),
    country: countryCode(text(a.Country), s.country),
  };
}

/**
 * CustomerRet → canonical customer. The number is the AccountNumber, or — QuickBooks has account
 * numbers only on some customers — the unique FullName (the manual's §4.2.2 and §6.1 note).
 */
export function customerFromRet(
  ret: Node,
  s: Settings,
): { id: string; updatedAt: string; data: Record<string, unknown> } {
  const id = text(ret.ListID) ?? '';
  const fullName = text(ret.FullName) ?? text(ret.Name) ?? id;
  const currency = currencyOf(ret, s.homeCurrency);
  const limit = amount(ret.CreditLimit);
  const first = text(ret.FirstName);
  const last = text(ret.LastName);
  const contactName = text(ret.Contact);
  const contacts: Partial<Contact>[] = [];
  if (first || last || contactName) {
    const [cf, ...cl] = (contactName ?? '').split(' ');
    contacts.push({
      ...(first || cf ? { firstName: first ?? cf } : {}),
      ...(last || cl.length ? { lastName: last ?? cl.join(' ') } : {}),
      ...(text(ret.Email) ? { email: text(ret.Email) } : {}),
      ...(text(ret.Phone) ? { phone: text(ret.Phone) } : {}),
      isPrimary: true,
    });
  }
  const addresses = [
    address(ret.BillAddress as Node | undefined, 'billing', s),
    address(ret.ShipAddress as Node | undefined, 'shipping', s),
  ].filter(Boolean);
  const updatedAt = utc(ret.TimeModified) ?? new Date(0).toISOString();
  return {
    id,
    updatedAt,
    data: {
      number: text(ret.AccountNumber) ?? fullName,
      name: text(ret.CompanyName) ?? text(ret.Name) ?? fullName,
      ...(text(ret.Email) ? { email: text(ret.Email) } : {}),
      // QuickBooks has no hold on a customer; an inactive one is inactive.
      status: bool(ret.IsActive) === false ? 'inactive' : 'active',
      onHold: false,
      ...(limit !== undefined ? { creditLimit: { amount: limit, currency } } : {}),
      currency,
      contacts,
      addresses,
      updatedAt,
    },
  };
}

function addressAdd(a: Address | undefined, who: string): Record<string, unknown> | undefined {
  if (!a) return undefined;
  return ordered([
    ['Addr1', within(a.company ?? a.line1, 41, `${who}: address line 1`)],
    [
      'Addr2',
      a.company
        ? within(a.line1, 41, `${who}: address line 1`)
        : within(a.line2, 41, `${who}: address line 2`),
    ],
    ['Addr3', a.company ? within(a.line2, 41, `${who}: address line 2`) : undefined],
    ['City', within(a.city, 31, `${who}: city`)],
    ['State', within(a.region, 21, `${who}: region`)],
    ['PostalCode', within(a.postalCode, 13, `${who}: postal code`)],
    ['Country', within(a.country, 31, `${who}: country`)],
  ]);
}

/**
 * Canonical customer → CustomerAdd. QuickBooks finds customers by FullName, not by account number,
 * so a customer written from here is named by its number (Name = number, which is its FullName at
 * the top level) and carries it as AccountNumber too; its company name is the CompanyName.
 */
export function customerAdd(c: Customer, _refs?: References): Record<string, unknown> {
  const who = `customer ${c.number}`;
  const name = within(c.number, NAME_MAX, `${who}: the account number (QuickBooks' customer Name)`);
  if (name?.includes(':'))
    throw unwritable(
      `${who}: a QuickBooks customer name cannot contain ":" (it separates a job from its customer)`,
    );
  const bill =
    c.addresses.find((a) => a.kind === 'billing') ??
    c.addresses.find((a) => a.kind === 'main') ??
    c.addresses[0];
  const ship = c.addresses.find((a) => a.kind === 'shipping');
  const contact = c.contacts.find((x) => x.isPrimary) ?? c.contacts[0];
  const contactName = contact ? [contact.firstName, contact.lastName].filter(Boolean).join(' ') : undefined;
  return {
    CustomerAdd: ordered([
      ['Name', name],
      ['CompanyName', within(c.name, 41, `${who}: the name (QuickBooks' CompanyName)`)],
      ['FirstName', within(contact?.firstName, 25, `${who}: the contact's first name`)],
      ['LastName', within(contact?.lastName, 25, `${who}: the contact's last name`)],
      ['BillAddress', addressAdd(bill, who)],
      ['ShipAddress', addressAdd(ship, who)],
      ['Phone', within(contact?.phone ?? bill?.phone, 21, `${who}: the phone number`)],
      ['Email', within(c.email ?? contact?.email, 1023, `${who}: the e-mail address`)],
      ['Contact', within(contactName || undefined, 41, `${who}: the contact's name`)],
      ['AccountNumber', within(c.number, 99, `${who}: the account number`)],
      ['CreditLimit', c.creditLimit ? qbAmount(c.creditLimit.amount) : undefined],
    ]),
  };
}
