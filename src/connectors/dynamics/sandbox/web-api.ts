import { randomUUID } from 'node:crypto';
import { boundaryOf, parseHttpPart, splitMultipart } from '../odata.js';
import { badPayload, ODataFailure, syntax } from './errors.js';
import { parseFilter, type Row, resolveColumn, splitTop } from './filter.js';
import { byLogical, ORDER_STATUS, TABLES } from './schema.js';
import { etagOf, type Store } from './store.js';

export const API_ROOT = '/api/data/v9.2/';

export interface ApiRequest {
  method: string;
  /** Below the API root, with its query string. */
  path: string;
  headers: Record<string, string | undefined>;
  body: unknown;
}

export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** Prefer header preferences, by name. */
function preferences(h: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of (h ?? '').split(',')) {
    const [k, ...v] = p.trim().split('=');
    if (k) out[k.trim()] = v.join('=').trim().replace(/^"|"$/g, '');
  }
  return out;
}

const METADATA =
  /^EntityDefinitions\(LogicalName='(\w+)'\)\/Attributes\(LogicalName='(\w+)'\)(?:\/Microsoft\.Dynamics\.CRM\.(\w+))?$/;

/**
 * The Dataverse Web API over the store: collections with $select/$filter/$expand/$orderby/$top, paging
 * by odata.maxpagesize (5,000 at most) and @odata.nextLink, change tracking, single rows, create (204
 * with OData-EntityId), update with If-Match (412 on a stale etag), delete, $batch change sets, the
 * metadata the setup checks read, and WhoAmI.
 */
export class WebApi {
  constructor(
    private readonly store: Store,
    private readonly origin: () => string,
    private readonly whoAmI: () => Row,
  ) {}

  handle(req: ApiRequest): ApiAnswer {
    try {
      return this.route(req);
    } catch (e) {
      if (e instanceof ODataFailure) return { status: e.status, headers: {}, body: e.body };
      throw e;
    }
  }

  private route(req: ApiRequest): ApiAnswer {
    const q = req.path.indexOf('?');
    const path = decodeURIComponent(q < 0 ? req.path : req.path.slice(0, q));
    const query = new URLSearchParams(q < 0 ? '' : req.path.slice(q + 1));
    const prefer = preferences(req.headers.prefer);
    const annotate = !!prefer['odata.include-annotations'];
    if (path === 'WhoAmI' && req.method === 'GET') return { status: 200, headers: {}, body: this.whoAmI() };
    if (path === '$batch' && req.method === 'POST') return this.batch(req);
    const meta = METADATA.exec(path);
    if (meta && req.method === 'GET') return this.metadata(meta[1]!, meta[2]!, meta[3], query);
    const single = /^(\w+)\(([0-9a-fA-F-]{36})\)$/.exec(path);
    if (single) {
      const [, set, id] = single;
      const t = this.store.table(set!);
      if (req.method === 'GET') {
        const row = this.store.get(set!, id!);
        return {
          status: 200,
          headers: { etag: etagOf(row) },
          body: {
            '@odata.context': `${this.origin()}${API_ROOT}$metadata#${set}/$entity`,
            ...this.store.project(
              set!,
              row,
              query.get('$select') ?? undefined,
              query.get('$expand') ?? undefined,
              annotate,
              this.origin(),
            ),
          },
        };
      }
      if (req.method === 'PATCH') {
        const exists = this.store.rows[set!]!.has(id!.toLowerCase());
        const ifMatch = req.headers['if-match'];
        if (!exists && ifMatch) throw this.notFoundFor(t.logical, id!);
        if (exists && req.headers['if-none-match'] === '*')
          throw new ODataFailure(412, '0x80040237', 'A record with matching key values already exists.');
        const row = exists
          ? this.store.update(set!, id!, this.object(req.body, set!), ifMatch)
          : this.store.create(set!, { ...this.object(req.body, set!), [t.pk]: id });
        return this.written(set!, row, prefer, exists ? 204 : 204);
      }
      if (req.method === 'DELETE') {
        this.store.delete(set!, id!);
        return { status: 204, headers: {} };
      }
    }
    const coll = /^(\w+)$/.exec(path);
    if (coll) {
      const set = coll[1]!;
      if (req.method === 'GET') return this.list(set, query, prefer, annotate);
      if (req.method === 'POST') {
        const row = this.store.create(set, this.object(req.body, set), (ref) => this.refs?.get(ref));
        return this.written(set, row, prefer, 201);
      }
    }
    throw new ODataFailure(404, '0x80060888', `Resource not found for the segment '${path}'.`);
  }

  private notFoundFor(logical: string, id: string) {
    return new ODataFailure(404, '0x80040217', `${logical} With Id = ${id} Does Not Exist`);
  }

  private object(body: unknown, set: string): Row {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw badPayload(set, 'The request body is not a JSON object.');
    return body as Row;
  }

  /** 204 with OData-EntityId, or 201 with the row when asked for return=representation. */
  private written(
    set: string,
    row: Row,
    prefer: Record<string, string>,
    representationStatus: number,
  ): ApiAnswer {
    const t = TABLES[set]!;
    const url = `${this.origin()}${API_ROOT}${set}(${row[t.pk]})`;
    if (prefer.return === 'representation')
      return {
        status: representationStatus === 204 ? 200 : 201,
        headers: { 'odata-entityid': url, etag: etagOf(row), 'preference-applied': 'return=representation' },
        body: this.store.project(set, row, undefined, undefined, false, this.origin()),
      };
    return { status: 204, headers: { 'odata-entityid': url } };
  }

  private list(
    set: string,
    query: URLSearchParams,
    prefer: Record<string, string>,
    annotate: boolean,
  ): ApiAnswer {
    const t = this.store.table(set);
    const base = `${this.origin()}${API_ROOT}${set}`;
    const select = query.get('$select') ?? undefined;
    const delta = query.get('$deltatoken');
    const tracking = prefer['odata.track-changes'] !== undefined || delta !== null;
    if (
      tracking &&
      (query.get('$filter') || query.get('$expand') || query.get('$orderby') || query.get('$top'))
    )
      throw syntax('Change tracking does not support $filter, $expand, $orderby or $top; use $select only.');
    let rows = [...this.store.rows[set]!.values()];
    const deletedSince: Row[] = [];
    if (delta !== null) {
      const since = Number(delta.split('!')[0]);
      if (!Number.isFinite(since)) throw syntax(`The delta token '${delta}' is not valid.`);
      // ⚠ The code and text of an expired delta link are not documented; a 400 like any bad token.
      if (since < this.store.deltaFloor)
        throw syntax(`The delta token '${delta}' has expired; start change tracking again without a token.`);
      rows = rows.filter((r) => Number(r.versionnumber) > since);
      for (const d of this.store.deleted)
        if (d.set === set && d.version > since)
          deletedSince.push({
            '@odata.context': `${this.origin()}${API_ROOT}$metadata#${set}/$deletedEntity`,
            id: d.id,
            reason: 'deleted',
          });
    }
    const filter = query.get('$filter');
    if (filter) {
      this.store.filters.push({ set, filter });
      rows = rows.filter(parseFilter(filter, t));
    }
    const orderby = query.get('$orderby');
    if (orderby) {
      const keys = splitTop(orderby).map((k) => {
        const [col = '', dir] = k.trim().split(/\s+/);
        return { col: resolveColumn(t, col), desc: dir === 'desc' };
      });
      rows.sort((a, b) => {
        for (const k of keys) {
          const x = a[k.col] as string | number | null | undefined;
          const y = b[k.col] as string | number | null | undefined;
          if (x === y) continue;
          if (x === null || x === undefined) return k.desc ? 1 : -1;
          if (y === null || y === undefined) return k.desc ? -1 : 1;
          return (x < y ? -1 : 1) * (k.desc ? -1 : 1);
        }
        return 0;
      });
    }
    const top = query.get('$top');
    if (top !== null) rows = rows.slice(0, Number(top));
    const all = [
      ...rows.map((r) =>
        this.store.project(set, r, select, query.get('$expand') ?? undefined, annotate, this.origin()),
      ),
      ...deletedSince,
    ];
    const size = Math.min(5000, Number(prefer['odata.maxpagesize'] ?? 5000) || 5000);
    const skiptoken = query.get('$skiptoken');
    const offset = skiptoken ? Number(/offset="(\d+)"/.exec(skiptoken)?.[1] ?? 0) : 0;
    const page = all.slice(offset, offset + size);
    const body: Row = { '@odata.context': `${this.origin()}${API_ROOT}$metadata#${set}`, value: page };
    const headers: Record<string, string> = {};
    if (prefer['odata.maxpagesize']) headers['preference-applied'] = `odata.maxpagesize=${size}`;
    if (offset + size < all.length) {
      const next = new URLSearchParams(query);
      next.set(
        '$skiptoken',
        `<cookie pagenumber="${Math.floor(offset / size) + 2}" pagingcookie="" istracking="False" offset="${offset + size}" />`,
      );
      body['@odata.nextLink'] = `${base}?${next.toString()}`;
    } else if (tracking) {
      const link = new URLSearchParams();
      if (select) link.set('$select', select);
      link.set(
        '$deltatoken',
        `${this.store.version}!${new Date().toLocaleString('en-US', { timeZone: 'UTC' })}`,
      );
      body['@odata.deltaLink'] = `${base}?${link.toString()}`;
      headers['preference-applied'] = [headers['preference-applied'], 'odata.track-changes']
        .filter(Boolean)
        .join(',');
    }
    return { status: 200, headers, body };
  }

  private metadata(
    logical: string,
    column: string,
    cast: string | undefined,
    query: URLSearchParams,
  ): ApiAnswer {
    const t = byLogical(logical);
    if (!t) throw new ODataFailure(404, '0x80040217', `Could not find entity with name ${logical}.`);
    const col = t.columns[column];
    if (!col)
      throw new ODataFailure(
        404,
        '0x80040217',
        `Could not find attribute with name ${column} on entity ${logical}.`,
      );
    const type =
      column === 'statuscode'
        ? 'Status'
        : column === 'statecode'
          ? 'State'
          : (
              {
                string: 'String',
                memo: 'Memo',
                int: 'Integer',
                decimal: 'Decimal',
                money: 'Money',
                bool: 'Boolean',
                picklist: 'Picklist',
                datetime: 'DateTime',
                date: 'DateTime',
                guid: 'Uniqueidentifier',
              } as const
            )[col.type];
    const castType = cast?.replace(/AttributeMetadata$/, '');
    if (castType && castType !== type)
      throw new ODataFailure(
        400,
        '0x80060888',
        `The attribute ${column} is of type ${type}AttributeMetadata, not ${cast}.`,
      );
    const body: Row = {
      '@odata.context': `${this.origin()}${API_ROOT}$metadata#EntityDefinitions('${logical}')/Attributes/Microsoft.Dynamics.CRM.${type}AttributeMetadata/$entity`,
      LogicalName: column,
      AttributeType: type,
      MetadataId: randomUUID(),
    };
    if (cast === 'StringAttributeMetadata') body.MaxLength = col.max;
    if (cast === 'StatusAttributeMetadata' && query.get('$expand')?.startsWith('OptionSet'))
      body.OptionSet = {
        Options: (logical === 'salesorder' ? ORDER_STATUS : [{ value: 1, state: 0, label: 'Active' }]).map(
          (o) => ({
            Value: o.value,
            State: o.state,
            Label: { UserLocalizedLabel: { Label: o.label, LanguageCode: 1033 } },
          }),
        ),
      };
    return { status: 200, headers: {}, body };
  }

  /** Content-ID references of the change set being run ($1 → the id it created). */
  private refs?: Map<string, string>;

  /**
   * A $batch: requests outside change sets run one by one; each change set runs atomically, answering
   * every operation, or only the error of the one that failed (the rest rolled back). Without
   * Prefer: odata.continue-on-error the batch stops at the first failure.
   */
  private batch(req: ApiRequest): ApiAnswer {
    const boundary = boundaryOf(req.headers['content-type']);
    if (!boundary || typeof req.body !== 'string')
      throw new ODataFailure(
        400,
        '0x80048d19',
        'The $batch request must be multipart/mixed with a boundary.',
      );
    const goOn = preferences(req.headers.prefer)['odata.continue-on-error'] !== undefined;
    const out: string[] = [];
    const response = `batchresponse_${randomUUID()}`;
    const httpPart = (a: ApiAnswer, contentId?: string) =>
      [
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        ...(contentId ? [`Content-ID: ${contentId}`] : []),
        '',
        `HTTP/1.1 ${a.status} ${a.status < 300 ? 'OK' : 'Error'}`,
        ...Object.entries({
          ...a.headers,
          ...(a.body !== undefined ? { 'Content-Type': 'application/json; odata.metadata=minimal' } : {}),
        }).map(([k, v]) => `${k === 'odata-entityid' ? 'OData-EntityId' : k}: ${v}`),
        '',
        a.body === undefined ? '' : JSON.stringify(a.body),
      ].join('\r\n');
    const run = (text: string) => {
      const http = parseHttpPart(text);
      const [method = 'GET', url = ''] = http.line.split(' ');
      const rel = url.includes(API_ROOT)
        ? url.slice(url.indexOf(API_ROOT) + API_ROOT.length)
        : url.replace(/^\//, '');
      let body: unknown;
      if (http.body) {
        try {
          body = JSON.parse(http.body);
        } catch {
          throw badPayload('$batch', 'An operation of the change set has a body that is not JSON.');
        }
      }
      const headers = { ...req.headers, ...http.headers, prefer: http.headers.prefer };
      const rel2 = rel.startsWith('$') ? (this.refs?.get(rel.split('/')[0]!) ?? rel) : rel;
      return this.route({ method, path: rel2, headers, body });
    };
    for (const part of splitMultipart(req.body, boundary)) {
      const inner = boundaryOf(part.headers['content-type']);
      if (inner) {
        const ops = splitMultipart(part.body, inner);
        const answers: string[] = [];
        const cs = `changesetresponse_${randomUUID()}`;
        this.refs = new Map();
        let failure: { a: ApiAnswer; id?: string } | undefined;
        try {
          this.store.atomically(() => {
            for (const op of ops) {
              const id = op.headers['content-id'];
              let a: ApiAnswer;
              try {
                a = run(op.body);
              } catch (e) {
                if (e instanceof ODataFailure) a = { status: e.status, headers: {}, body: e.body };
                else throw e;
              }
              if (a.status >= 400) {
                failure = { a, ...(id ? { id } : {}) };
                throw new Error('rollback');
              }
              const created = /\(([0-9a-f-]{36})\)$/.exec(a.headers['odata-entityid'] ?? '')?.[1];
              if (id && created) this.refs!.set(`$${id}`, created);
              answers.push(`--${cs}\r\n${httpPart(a, id)}`);
            }
          });
        } catch (e) {
          if (!failure) throw e;
        } finally {
          this.refs = undefined;
        }
        if (failure) {
          out.push(`--${response}\r\n${httpPart(failure.a, failure.id)}`);
          if (!goOn) break;
        } else
          out.push(
            `--${response}\r\nContent-Type: multipart/mixed; boundary=${cs}\r\n\r\n${answers.join('\r\n')}\r\n--${cs}--`,
          );
      } else {
        const a = (() => {
          try {
            return run(part.body);
          } catch (e) {
            if (e instanceof ODataFailure)
              return { status: e.status, headers: {}, body: e.body } as ApiAnswer;
            throw e;
          }
        })();
        out.push(`--${response}\r\n${httpPart(a)}`);
        if (a.status >= 400 && !goOn) break;
      }
    }
    return {
      status: 200,
      headers: { 'content-type': `multipart/mixed; boundary=${response}` },
      body: `${out.join('\r\n')}\r\n--${response}--\r\n`,
    };
  }
}
