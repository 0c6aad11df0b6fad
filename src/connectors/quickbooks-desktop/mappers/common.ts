import { Decimal } from 'decimal.js';
import type { ErrorData } from '../../sdk/errors.js';
import { type Node, text } from '../qbxml.js';

/** A record that cannot be written as it is: the reason names the record, the field and the limit. */
export class Unwritable extends Error {
  constructor(readonly error: ErrorData) {
    super(error.message);
  }
}

export const unwritable = (message: string, code: ErrorData['code'] = 'invalid_data'): Unwritable =>
  new Unwritable({ code, category: 'rejected', message });

/** A text field within QuickBooks' length for it (qbXML schema maxLength), else an Unwritable. */
export function within(value: string | undefined, max: number, what: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > max)
    throw unwritable(
      `${what} "${value}" is ${value.length} characters; QuickBooks takes at most ${max}`,
      'too_large',
    );
  return value;
}

/** QuickBooks' ListID / TxnID shape ("80000001-1234567890"); anything else cannot be one. */
export const looksLikeQbId = (s: string): boolean => /^[0-9A-F]{1,16}-\d{1,16}$/.test(s);

/** A qbXML AMTTYPE / PRICETYPE as a canonical decimal string. */
export const amount = (v: unknown): string | undefined => {
  const t = text(v);
  if (t === undefined) return undefined;
  const d = new Decimal(t);
  return d.isFinite() ? d.toFixed() : undefined;
};

/** Money in qbXML: two decimals (AMTTYPE), as QuickBooks writes it. */
export const qbAmount = (v: Decimal.Value): string => new Decimal(v).toFixed(2);

/** A Yes/No of qbXML ("true"/"false"). */
export const bool = (v: unknown): boolean | undefined => {
  const t = text(v);
  return t === undefined ? undefined : t === 'true';
};

const COUNTRIES: Record<string, string> = {
  UK: 'GB',
  'UNITED KINGDOM': 'GB',
  'GREAT BRITAIN': 'GB',
  ENGLAND: 'GB',
  SCOTLAND: 'GB',
  WALES: 'GB',
  USA: 'US',
  'UNITED STATES': 'US',
  'UNITED STATES OF AMERICA': 'US',
  CANADA: 'CA',
  AUSTRALIA: 'AU',
  IRELAND: 'IE',
};

/** QuickBooks keeps an address's country as typed; the model wants an ISO code. */
export function countryCode(v: string | undefined, fallback: string): string {
  if (!v) return fallback;
  const up = v.trim().toUpperCase();
  if (/^[A-Z]{2}$/.test(up)) return up === 'UK' ? 'GB' : up;
  return COUNTRIES[up] ?? fallback;
}

const CURRENCIES: Record<string, string> = {
  'US DOLLAR': 'USD',
  'BRITISH POUND STERLING': 'GBP',
  'POUND STERLING': 'GBP',
  EURO: 'EUR',
  'CANADIAN DOLLAR': 'CAD',
  'AUSTRALIAN DOLLAR': 'AUD',
};

/** A CurrencyRef names the currency ("British Pound Sterling"); without one the home currency applies. */
export function currencyOf(ret: Node, home: string): string {
  const name = text((ret.CurrencyRef as Node | undefined)?.FullName);
  if (!name) return home;
  const up = name.trim().toUpperCase();
  if (/^[A-Z]{3}$/.test(up)) return up;
  return CURRENCIES[up] ?? home;
}

/** A qbXML DATETIMETYPE (local time with its offset) as UTC ISO; QuickBooks counts whole seconds. */
export function utc(v: unknown): string | undefined {
  const t = text(v);
  if (!t) return undefined;
  const d = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(t) ? t : `${t}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** An instant as qbXML wants it in a filter: whole seconds, with its offset. */
export function qbDateTime(iso: string, round: 'down' | 'up' = 'down'): string {
  const ms = Date.parse(iso);
  const s = round === 'down' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
  return `${new Date(s * 1000).toISOString().slice(0, 19)}+00:00`;
}
