import { configError, LedgerlinkError } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { DynamicsClient, Row } from './client.js';
import { quote } from './odata.js';
import type { DynamicsSettings } from './settings.js';

export interface Unit {
  id: string;
  name: string;
}

/** The maximum length a text column has when nobody widened it (the table reference pages). */
export const DEFAULT_MAX_LENGTH: Readonly<Record<string, number>> = {
  'account.accountnumber': 20,
  'account.name': 160,
  'product.productnumber': 100,
  'product.name': 100,
  'invoice.invoicenumber': 100,
  'invoice.name': 300,
  'uom.name': 100,
};

export interface StatusOption {
  value: number;
  state: number;
  label: string;
}

/**
 * The environment's reference data the rules need, read once per connector and kept: the configured
 * price list, unit group and its units (a missing unit is created in the group on demand), currencies
 * by ISO code, column lengths and the salesorder status reasons from the metadata.
 */
export class Reference {
  private priceListP?: Promise<{ id: string; currencyId?: string }>;
  private groupP?: Promise<{ id: string; baseUnit: Unit; units: Map<string, Unit> }>;
  private currencies?: Promise<Map<string, string>>;
  private readonly lengths = new Map<string, Promise<number | undefined>>();

  constructor(
    private readonly client: DynamicsClient,
    private readonly s: DynamicsSettings,
  ) {}

  priceList(): Promise<{ id: string; currencyId?: string }> {
    this.priceListP ??= (async () => {
      const rows = await this.client.all('pricelevels', {
        $select: 'pricelevelid,name,_transactioncurrencyid_value',
        $filter: `name eq ${quote(this.s.priceList)}`,
      });
      const row = rows[0];
      if (!row)
        throw configError(
          `Dynamics 365 has no price list "${this.s.priceList}" (setting priceList, the manual's product.pricelevel): create it or name an existing one`,
        );
      const currencyId = row._transactioncurrencyid_value as string | undefined;
      return { id: String(row.pricelevelid), ...(currencyId ? { currencyId } : {}) };
    })().catch((e) => {
      this.priceListP = undefined;
      throw e;
    });
    return this.priceListP;
  }

  unitGroup(): Promise<{ id: string; baseUnit: Unit; units: Map<string, Unit> }> {
    this.groupP ??= (async () => {
      const groups = await this.client.all('uomschedules', {
        $select: 'uomscheduleid,name',
        $filter: `name eq ${quote(this.s.unitGroup)}`,
      });
      const group = groups[0];
      if (!group)
        throw configError(
          `Dynamics 365 has no unit group "${this.s.unitGroup}" (setting unitGroup, the manual's product.defaultschedule)`,
        );
      const id = String(group.uomscheduleid);
      const rows = await this.client.all('uoms', {
        $select: 'uomid,name,quantity,_baseuom_value',
        $filter: `_uomscheduleid_value eq ${id}`,
      });
      const units = new Map<string, Unit>();
      let base: Unit | undefined;
      for (const r of rows) {
        const u = { id: String(r.uomid), name: String(r.name) };
        units.set(u.name.toLowerCase(), u);
        if (!r._baseuom_value || r._baseuom_value === r.uomid) base ??= u;
      }
      if (!base) throw configError(`the unit group "${this.s.unitGroup}" has no base unit`);
      return { id, baseUnit: base, units };
    })().catch((e) => {
      this.groupP = undefined;
      throw e;
    });
    return this.groupP;
  }

  /** The configured default unit of new products. */
  async defaultUnit(): Promise<Unit> {
    const g = await this.unitGroup();
    const u = g.units.get(this.s.defaultUnit.toLowerCase());
    if (!u)
      throw configError(
        `the unit group "${this.s.unitGroup}" has no unit "${this.s.defaultUnit}" (setting defaultUnit, the manual's product.defaultunits); it has ${[...g.units.values()].map((x) => x.name).join(', ')}`,
      );
    return u;
  }

  /**
   * A unit of the group by name; created (as one of the base unit, which a person adjusts) when the
   * group lacks it, as the SYNC Uploader did.
   */
  async unit(name: string, record?: HttpExchange[]): Promise<Unit & { created?: boolean }> {
    const g = await this.unitGroup();
    const found = g.units.get(name.toLowerCase());
    if (found) return found;
    if (name.length > (DEFAULT_MAX_LENGTH['uom.name'] ?? 100))
      throw new LedgerlinkError({
        code: 'invalid_data',
        category: 'rejected',
        message: `unit "${name}" is longer than the 100 characters a Dynamics 365 unit name takes`,
      });
    const id = await this.client.create(
      'uoms',
      {
        name,
        quantity: 1,
        'uomscheduleid@odata.bind': `/uomschedules(${g.id})`,
        'baseuom@odata.bind': `/uoms(${g.baseUnit.id})`,
      },
      record,
    );
    const u = { id, name };
    g.units.set(name.toLowerCase(), u);
    return { ...u, created: true };
  }

  private currencyMap(): Promise<Map<string, string>> {
    this.currencies ??= this.client
      .all('transactioncurrencies', { $select: 'transactioncurrencyid,isocurrencycode' })
      .then(
        (rows: Row[]) =>
          new Map(rows.map((r) => [String(r.isocurrencycode), String(r.transactioncurrencyid)])),
      )
      .catch((e) => {
        this.currencies = undefined;
        throw e;
      });
    return this.currencies;
  }

  async currencyId(iso: string): Promise<string | undefined> {
    return (await this.currencyMap()).get(iso);
  }

  async currencyCode(id: string | undefined): Promise<string | undefined> {
    if (!id) return undefined;
    for (const [code, cid] of await this.currencyMap()) if (cid === id) return code;
    return undefined;
  }

  /**
   * A text column's maximum length as the environment has it (customised or not), from the metadata:
   * the StringAttributeMetadata cast is needed, the base AttributeMetadata has no MaxLength.
   */
  maxLength(table: string, column: string): Promise<number | undefined> {
    const key = `${table}.${column}`;
    let p = this.lengths.get(key);
    if (!p) {
      p = this.client
        .get<{ MaxLength?: number }>(
          `EntityDefinitions(LogicalName=${quote(table)})/Attributes(LogicalName=${quote(column)})/Microsoft.Dynamics.CRM.StringAttributeMetadata`,
          { $select: 'LogicalName,MaxLength' },
          { accept: [404] },
        )
        .then((r) => (r.status === 404 ? undefined : (r.body?.MaxLength ?? DEFAULT_MAX_LENGTH[key])))
        .catch((e) => {
          this.lengths.delete(key);
          throw e;
        });
      this.lengths.set(key, p);
    }
    return p;
  }

  /** The status reasons of salesorder, with the state each belongs to. */
  async orderStatuses(): Promise<StatusOption[]> {
    const r = await this.client.get<{
      OptionSet?: {
        Options?: Array<{
          Value: number;
          State?: number;
          Label?: { UserLocalizedLabel?: { Label?: string } };
        }>;
      };
    }>(
      "EntityDefinitions(LogicalName='salesorder')/Attributes(LogicalName='statuscode')/Microsoft.Dynamics.CRM.StatusAttributeMetadata",
      { $select: 'LogicalName', $expand: 'OptionSet($select=Options)' },
    );
    return (r.body?.OptionSet?.Options ?? []).map((o) => ({
      value: o.Value,
      state: o.State ?? 0,
      label: o.Label?.UserLocalizedLabel?.Label ?? String(o.Value),
    }));
  }

  /** A column of a table: its type, or undefined when the table has no such column. */
  async attributeType(table: string, column: string): Promise<string | undefined> {
    const r = await this.client.get<{ AttributeType?: string }>(
      `EntityDefinitions(LogicalName=${quote(table)})/Attributes(LogicalName=${quote(column)})`,
      { $select: 'LogicalName,AttributeType' },
      { accept: [404] },
    );
    return r.status === 404 ? undefined : r.body?.AttributeType;
  }
}
