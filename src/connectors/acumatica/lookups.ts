import type { Logger } from 'pino';
import { toDecimalString } from '../../model/index.js';
import type { AcumaticaClient } from './client.js';
import { anyOf } from './odata.js';
import { type RawShipVia, type RawTax, str, val } from './types.js';

/** Ids per request, as for record reads. */
const CHUNK = 25;
/** Setup changes rarely; what was read is read again after this long (a new tax revision, a new ship via). */
const KEEP_MS = 60 * 60_000;

/**
 * Setup records documents refer to, read once per connection and kept: the rate schedules of taxes
 * (an invoice's tax lines carry no rate) and the descriptions of ship via codes (a shipment's carrier).
 */
export class Lookups {
  readonly taxSchedules = new Map<string, Array<{ start: string; rate: string }>>();
  readonly shipVias = new Map<string, string>();
  /** Ship vias that could not be read: asked for again only when the cache is renewed. */
  private readonly missingShipVias = new Set<string>();
  private readAt = Date.now();

  constructor(
    private readonly client: AcumaticaClient,
    private readonly logger?: Logger,
  ) {}

  private renew(): void {
    if (Date.now() - this.readAt < KEEP_MS) return;
    this.taxSchedules.clear();
    this.shipVias.clear();
    this.missingShipVias.clear();
    this.readAt = Date.now();
  }

  /** Reads the taxes not read yet; a tax Acumatica does not have stays absent (the record then says so). */
  async taxes(ids: Iterable<string>, signal?: AbortSignal): Promise<void> {
    this.renew();
    const wanted = [...new Set(ids)].filter((id) => !this.taxSchedules.has(id));
    for (let i = 0; i < wanted.length; i += CHUNK) {
      const chunk = wanted.slice(i, i + CHUNK);
      const res = await this.client.entity<RawTax[]>({
        method: 'GET',
        path: 'Tax',
        query: { $filter: anyOf('TaxID', chunk), $expand: 'TaxSchedule' },
        ...(signal ? { signal } : {}),
      });
      for (const t of Array.isArray(res.body) ? res.body : []) {
        const id = str(t.TaxID);
        if (!id) continue;
        const schedule = (t.TaxSchedule ?? [])
          .filter((r) => typeof val(r.TaxRate) === 'number')
          .map((r) => ({ start: str(r.StartDate) ?? '1900-01-01', rate: toDecimalString(val(r.TaxRate)!) }));
        this.taxSchedules.set(id, schedule);
      }
    }
  }

  /**
   * Reads the ship vias not read yet. Only a label depends on them, so a user who may not open the
   * Ship Via screen still gets shipments, without a carrier name (logged once).
   */
  async shipViaNames(ids: Iterable<string>, signal?: AbortSignal): Promise<void> {
    this.renew();
    const wanted = [...new Set(ids)].filter((id) => !this.shipVias.has(id) && !this.missingShipVias.has(id));
    for (let i = 0; i < wanted.length; i += CHUNK) {
      const chunk = wanted.slice(i, i + CHUNK);
      try {
        const res = await this.client.entity<RawShipVia[]>({
          method: 'GET',
          path: 'ShipVia',
          query: { $filter: anyOf('CarrierID', chunk), $select: 'CarrierID,Description' },
          ...(signal ? { signal } : {}),
        });
        for (const s of Array.isArray(res.body) ? res.body : []) {
          const id = str(s.CarrierID);
          if (id) this.shipVias.set(id, str(s.Description) ?? id);
        }
      } catch (e) {
        this.logger?.warn(
          { err: e },
          'cannot read Acumatica ship vias; shipments are read without a carrier name',
        );
      }
      for (const id of chunk) if (!this.shipVias.has(id)) this.missingShipVias.add(id);
    }
  }
}
