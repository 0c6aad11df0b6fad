import { Customer } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { rejected } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { TrytonClient } from './client.js';
import type { Lookups } from './lookups.js';
import { partyToTryton } from './mappers/customer.js';
import { type RawContactMechanism, type RawRecord, text } from './types.js';
import { writeEach } from './write-results.js';

/** E-mails per search: an OR of case-insensitive comparisons. */
const PER_SEARCH = 40;

/**
 * A customer is found on Tryton by e-mail, as a shop knows its customers: the party's number is
 * Tryton's own (its sequence), and a shop's customer id means nothing there. Compared without case.
 */
export function customerKey(data: unknown): string | undefined {
  const d = data as { email?: unknown; contacts?: Array<{ email?: unknown; isPrimary?: unknown }> };
  const email =
    d.email ?? d.contacts?.find((c) => c.isPrimary)?.email ?? d.contacts?.find((c) => c.email)?.email;
  return typeof email === 'string' && email.trim() ? email.trim().toLowerCase() : undefined;
}

interface PartySnapshot {
  party: number;
  /** The e-mail contact mechanism the key was found on. */
  mechanism: number;
}

/** Parties as a target: lookup by e-mail, create with contact mechanisms and addresses, owned updates. */
export class CustomerTarget {
  constructor(
    private readonly client: TrytonClient,
    private readonly lookups: Lookups,
  ) {}

  async lookup(keys: readonly string[], record?: HttpExchange[]): Promise<Map<string, TargetRecord>> {
    const out = new Map<string, TargetRecord>();
    const wanted = [...new Set(keys.map((k) => k.trim().toLowerCase()).filter(Boolean))];
    for (let i = 0; i < wanted.length; i += PER_SEARCH) {
      const chunk = wanted.slice(i, i + PER_SEARCH);
      // ilike compares without case; "_" and "%" in an address are wildcards there, so the match is
      // made exact here.
      const found = await this.client.model<Array<RawContactMechanism & { party: number }>>(
        'party.contact_mechanism',
        'search_read',
        [
          [
            ['type', '=', 'email'],
            ['OR', ...chunk.map((k) => ['value', 'ilike', k])],
          ],
          0,
          null,
          [['id', 'ASC']],
          ['party', 'value'],
        ],
        { idempotent: true, context: { active_test: false }, ...(record ? { record } : {}) },
      );
      for (const m of found) {
        const key = text(m.value)?.toLowerCase();
        // The oldest party with the address keeps the key.
        if (key && chunk.includes(key) && !out.has(key)) {
          const snapshot: PartySnapshot = { party: m.party, mechanism: m.id };
          out.set(key, { id: String(m.party), snapshot });
        }
      }
    }
    return out;
  }

  write(items: readonly WriteItem[]): Promise<WriteResult[]> {
    return writeEach(
      items,
      (item) => `customer ${(item.data as { number?: string }).number ?? item.ref}`,
      (item, exchanges) =>
        item.action === 'create' ? this.create(item, exchanges) : this.update(item, exchanges),
    );
  }

  private async create(item: WriteItem, exchanges: HttpExchange[]): Promise<WriteResult> {
    const parsed = Customer.safeParse(item.data);
    if (!parsed.success)
      throw rejected('invalid_data', `the customer is not valid: ${parsed.error.issues[0]?.message}`);
    const c = parsed.data;
    const key = customerKey(c);
    if (!key) throw rejected('missing_field', 'a customer needs an e-mail to be found again in Tryton');
    // Tryton lets two parties share an e-mail; Ledgerlink does not make a second one.
    const existing = (await this.lookup([key], exchanges)).get(key);
    if (existing)
      throw rejected('duplicate', `Tryton already has party ${existing.id} with the e-mail ${key}`);
    const countries = await this.lookups.countries();
    for (const a of c.addresses)
      if (!countries.has(a.country))
        throw rejected(
          'unmapped_value',
          `Tryton has no country ${a.country}; import the countries (trytond_import_countries) or add it`,
        );
    const values = partyToTryton(c, { countries, subdivisions: await this.lookups.subdivisions() });
    const [id] = await this.client.model<number[]>('party.party', 'create', [[values]], {
      record: exchanges,
    });
    const [created] = await this.client.model<RawRecord[]>('party.party', 'read', [[id], ['code']], {
      idempotent: true,
    });
    const code = text(created?.code);
    return {
      ref: item.ref,
      ok: true,
      targetId: String(id),
      ...(code ? { targetNumber: code } : {}),
      action: 'created',
      exchanges,
    };
  }

  /** Writes the owned fields Tryton keeps on a party: its name, its e-mail, whether it is active. */
  private async update(item: WriteItem, exchanges: HttpExchange[]): Promise<WriteResult> {
    const id = Number(item.targetId);
    if (!Number.isInteger(id)) throw rejected('missing_field', 'an update needs the Tryton party id');
    const c = item.data as Partial<Customer>;
    const fields = item.fields ?? [];
    const values: Record<string, unknown> = {};
    if (fields.includes('name') && c.name) values.name = c.name;
    if (fields.includes('status') && c.status) values.active = c.status !== 'inactive';
    const email = fields.includes('email') ? customerKey({ email: c.email }) : undefined;
    if (email) {
      const [party] = await this.client.model<
        Array<RawRecord & { 'contact_mechanisms.'?: RawContactMechanism[] }>
      >('party.party', 'read', [[id], ['contact_mechanisms.type', 'contact_mechanisms.value']], {
        idempotent: true,
        context: { active_test: false },
      });
      const current = party?.['contact_mechanisms.']?.find((m) => m.type === 'email');
      if (!current) values.contact_mechanisms = [['create', [{ type: 'email', value: c.email }]]];
      else if (text(current.value)?.toLowerCase() !== email)
        values.contact_mechanisms = [['write', [current.id], { value: c.email }]];
    }
    if (Object.keys(values).length)
      await this.client.model('party.party', 'write', [[id], values], {
        record: exchanges,
        context: { active_test: false },
      });
    return { ref: item.ref, ok: true, targetId: String(id), action: 'updated', exchanges };
  }
}
