import { configError } from '../sdk/errors.js';
import type { Context, TrytonClient } from './client.js';
import type { TrytonSettings } from './settings.js';
import { type RawRecord, text } from './types.js';

/** Where a connection works: its company (and that company's currency) and its warehouse. */
export interface Workplace {
  companyId: number;
  /** The company's currency: Tryton keeps prices and costs in it. */
  currency: string;
  /** The parties of the database's companies, which are not customers. */
  companyPartyIds: number[];
  warehouse: { id: number; name: string };
}

const isId = (v: string): boolean => /^\d+$/.test(v.trim());

/**
 * The company every call works in, by the setting (an id or the company's name), else the user's
 * current company. Tryton takes the company from each call's context, never from the session.
 */
export async function companyContext(
  client: TrytonClient,
  preferences: Context,
  s: Pick<TrytonSettings, 'company' | 'username'>,
): Promise<Context> {
  if (!s.company) {
    if (typeof preferences.company !== 'number')
      throw configError(
        `the Tryton user "${s.username}" has no current company; set one in Tryton or name it in the connection's company setting`,
      );
    return {};
  }
  const wanted = s.company.trim();
  const domain = isId(wanted) ? [['id', '=', Number(wanted)]] : [['party.name', '=', wanted]];
  const found = await client.call<RawRecord[]>(
    'model.company.company.search_read',
    [domain, 0, 2, null, ['id'], preferences],
    { idempotent: true },
  );
  if (found.length !== 1)
    throw configError(
      found.length === 0
        ? `Tryton has no company "${wanted}" that user "${s.username}" may use`
        : `Tryton has several companies named "${wanted}"; give the company's id instead`,
    );
  const id = found[0]!.id;
  const companies = preferences.companies;
  if (Array.isArray(companies) && !companies.includes(id))
    throw configError(`the Tryton user "${s.username}" may not work in company "${wanted}" (id ${id})`);
  return { company: id };
}

/** Reads the workplace once per connection: the company's currency, the companies' parties, the warehouse. */
export async function readWorkplace(
  client: TrytonClient,
  s: Pick<TrytonSettings, 'warehouse'>,
): Promise<Workplace> {
  const context = await client.context();
  const companyId = context.company as number;
  const companies = await client.model<
    Array<RawRecord & { party?: number; 'currency.'?: { code?: string } }>
  >('company.company', 'search_read', [[], 0, null, null, ['party', 'currency.code']], { idempotent: true });
  const company = companies.find((c) => c.id === companyId);
  const currency = text(company?.['currency.']?.code);
  if (!currency) throw configError(`the Tryton company ${companyId} has no currency with a code`);
  return {
    companyId,
    currency,
    companyPartyIds: companies.map((c) => c.party).filter((p): p is number => typeof p === 'number'),
    warehouse: await warehouseOf(client, s.warehouse),
  };
}

async function warehouseOf(
  client: TrytonClient,
  wanted: string | undefined,
): Promise<Workplace['warehouse']> {
  const domain: unknown[] = [['type', '=', 'warehouse']];
  if (wanted) {
    const w = wanted.trim();
    domain.push(isId(w) ? ['id', '=', Number(w)] : ['OR', ['code', '=', w], ['name', '=', w]]);
  }
  const found = await client.model<Array<RawRecord & { code?: string | null; name?: string }>>(
    'stock.location',
    'search_read',
    [domain, 0, null, [['id', 'ASC']], ['code', 'name']],
    { idempotent: true },
  );
  const first = found[0];
  if (!first)
    throw configError(
      wanted
        ? `Tryton has no warehouse "${wanted}"`
        : 'Tryton has no warehouse (a stock location of type warehouse)',
    );
  // Without a setting the first warehouse is taken, as Tryton proposes its only one on new sales.
  return { id: first.id, name: text(first.code) ?? text(first.name) ?? String(first.id) };
}
