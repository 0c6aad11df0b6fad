import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FilterOption, ReadQuery } from '../../connectors/sdk/contract.js';
import type { BatchFilter } from '../../connectors/sdk/manifest.js';
import { EngineError } from '../../engine/errors.js';
import type { Flow } from '../../engine/flow.js';
import { columnsOf, searchText, sortKey } from '../../engine/grid-columns.js';
import { IDS_FILE_LIMITS, parseFilterDate, readIdsFile } from '../../engine/ids-file.js';
import { textFilterValue } from '../../engine/text-filter.js';
import { entityWord } from '../../engine/validate.js';
import { RUN_TASK } from '../../runtime/worker.js';
import { runCounts } from '../../store/index.js';
import type { ServerDeps } from '../app.js';
import { flowPatchSchema, saveFlowEdit } from './flow-edit.js';
import { flowEvents } from './flow-events.js';
import { errorSchema, paging, readQuerySchema, rowId } from './schemas.js';

interface QueryBody {
  since?: string;
  until?: string;
  ids?: string[];
  filters?: Record<string, string[]>;
  incremental?: boolean;
  batchId?: number;
  confirm?: boolean;
}

/** The seed's words when a Load names no filter (the screen says the same before it asks). */
export const NOTHING_CHECKED =
  'You need to check at least one of the filters and then click on the [Load] button.';

/** The most ids one list may carry (the ID file's own limit). */
const MAX_IDS = IDS_FILE_LIMITS.maxIds;

/** A list's entries trimmed, blanks dropped, duplicates removed in order. */
const cleanList = (values: readonly string[]): string[] => [
  ...new Set(values.map((v) => v.trim()).filter(Boolean)),
];

/**
 * A person's filters as the source reads them. Dates must be dates, in order; a filter the flow's
 * source does not offer is refused by name (a typo must not load 0 records under a green banner), and
 * so is a value outside a fixed pick list, and a text filter's text beyond one of TEXT_FILTER_MAX
 * characters. ID lists travel by their filter's name in `filters`: the
 * list named "ids" is the records' own ids, any other goes to the connector under its name.
 */
export function toReadQuery(
  b: QueryBody = {},
  offered?: readonly BatchFilter[],
  source = 'the source',
): ReadQuery {
  const q: ReadQuery = {};
  if (b.since) q.since = parseFilterDate(b.since, 'since');
  if (b.until) q.until = parseFilterDate(b.until, 'until', true);
  if (q.since && q.until && q.since > q.until)
    throw new EngineError('invalid_request', `since (${b.since}) is after until (${b.until})`);
  let ids = cleanList(b.ids ?? []);
  const filters: Record<string, string[]> = {};
  for (const [name, raw] of Object.entries(b.filters ?? {})) {
    const f = offered?.find((o) => o.name === name && o.kind !== 'dates');
    if (offered && !f) {
      const names = offered.filter((o) => o.kind !== 'dates').map((o) => o.name);
      throw new EngineError(
        'invalid_request',
        `filters.${name}: ${source} offers no such filter; ${names.length ? `it offers ${names.join(', ')}` : 'it offers none by values'}`,
      );
    }
    if (f?.kind === 'text') {
      const text = textFilterValue(f, raw);
      if (text !== undefined) filters[name] = [text];
      continue;
    }
    let values = cleanList(raw);
    if (values.length === 0) continue;
    if (f?.kind === 'ids' && values.length > MAX_IDS)
      throw new EngineError(
        'invalid_request',
        `filters.${name}: ${values.length} IDs; a list takes at most ${MAX_IDS.toLocaleString('en')}`,
      );
    if (f?.options?.length) {
      const byLower = new Map(f.options.map((o) => [o.toLowerCase(), o]));
      const unknown = values.filter((v) => !byLower.has(v.toLowerCase()));
      if (unknown.length)
        throw new EngineError(
          'invalid_request',
          `filters.${name}: ${unknown.map((v) => `"${v}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among the values of ${f.title} (${f.options.join(', ')})`,
        );
      values = values.map((v) => byLower.get(v.toLowerCase())!);
    }
    if (name === 'ids' && f?.kind === 'ids') ids = [...new Set([...ids, ...values])];
    else filters[name] = values;
  }
  if (ids.length) q.ids = ids;
  if (Object.keys(filters).length) q.filters = filters;
  return q;
}

/** Whether a read query selects part of a flow (anything but "every record"). */
const selects = (q: ReadQuery): boolean =>
  Boolean(q.since || q.until || q.ids?.length || (q.filters && Object.keys(q.filters).length));

/** The batch filters the flow's source offers for its entity. */
const filtersOf = (deps: ServerDeps, f: Flow): readonly BatchFilter[] =>
  deps.ctx.config.connections.get(f.source)?.definition.manifest.entities[f.entity]?.read?.filters ?? [];

/** The title of the flow's source system ("Acumatica"), for messages. */
const sourceTitle = (deps: ServerDeps, f: Flow): string =>
  deps.ctx.config.connections.get(f.source)?.definition.manifest.title ?? f.source;

/** Who asked, when access control knows (kept with a Load and a run). */
const usernameOf = (req: unknown): string | undefined =>
  (req as { user?: { username?: string } }).user?.username;

/** A pick list read from a source is kept this long: classes change rarely, a screen asks often. */
const OPTIONS_TTL_MS = 60_000;

const params = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } as const;

/** What the dashboard shows of a flow: its settings, what its connectors offer, its records and last run. */
async function describeFlow(deps: ServerDeps, f: Flow) {
  const { ctx } = deps;
  const [last] = await ctx.store.runs.list({ flow: f.name, limit: 1 });
  const source = ctx.config.connections.get(f.source)?.definition.manifest;
  const target = ctx.config.connections.get(f.target)?.definition.manifest;
  return {
    name: f.name,
    description: f.description ?? null,
    entity: f.entity,
    source: f.source,
    target: f.target,
    enabled: f.enabled,
    syncMode: f.syncMode,
    schedule: f.schedule ?? null,
    ownedFields: f.ownedFields,
    targetUpdatableFields: target?.entities[f.entity]?.write?.updatableFields ?? [],
    neverOverwrite: f.neverOverwrite,
    conditions: f.conditions,
    valueMaps: f.valueMaps,
    dependencies: f.dependencies,
    idMapping: f.idMapping,
    oldestFirst: f.oldestFirst,
    filters: source?.entities[f.entity]?.read?.filters ?? [],
    columns: columnsOf(source, f.entity),
    states: await ctx.store.records.countByState(f.name),
    lastRun: last
      ? {
          id: last.id,
          status: last.status,
          startedAt: last.started_at,
          finishedAt: last.finished_at,
          counts: runCounts(last),
          total: last.total,
        }
      : null,
  };
}

export function registerFlowRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx, wake } = deps;

  /**
   * What Process acts on in a Load: the ids it selected, or all the Load's records. A preview asks the
   * same, so what it shows is what pressing Process right after does.
   */
  const loadedIds = async (flow: Flow, batchId: number, ids?: readonly string[]): Promise<ReadQuery> => {
    const batch = await ctx.store.batches.get(batchId);
    if (!batch || batch.flow !== flow.name)
      throw new EngineError('invalid_request', `no Load ${batchId} of flow ${flow.name}; load again`);
    const all = await ctx.store.batches.sourceIds(batch.id);
    const chosen = ids?.length ? [...ids] : all;
    const known = new Set(all);
    const stray = chosen.filter((id) => !known.has(id));
    if (stray.length)
      throw new EngineError(
        'invalid_request',
        `${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ` and ${stray.length - 5} more` : ''} are not in Load ${batch.id}`,
      );
    if (chosen.length === 0) throw new EngineError('invalid_request', `Load ${batch.id} has no records`);
    return { ids: chosen };
  };

  app.get(
    '/api/flows',
    {
      schema: {
        tags: ['flows'],
        summary: 'Configured flows with their settings, record states and last run',
      },
    },
    async () => {
      const flows = [];
      for (const name of ctx.engine.flowNames()) flows.push(await describeFlow(deps, ctx.engine.flow(name)));
      return { flows, configProblems: deps.config?.problems ?? [] };
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/flows/:name',
    { schema: { tags: ['flows'], summary: 'One flow', params, response: { 404: errorSchema } } },
    async (req) => describeFlow(deps, ctx.engine.flow(req.params.name)),
  );

  app.put<{ Params: { name: string }; Body: Record<string, unknown> }>(
    '/api/flows/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['flows'],
        summary:
          'Change a flow: written to the configuration file (the one source of truth), validated, applied without a restart',
        params,
        body: flowPatchSchema,
        response: { 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      ctx.engine.flow(req.params.name);
      await saveFlowEdit(deps, req.params.name, req.body);
      // A run in progress keeps the settings it started with (its pages are planned with them): say
      // so, so nobody believes a field stopped being owned in the middle of it.
      const running = await ctx.store.runs.running(req.params.name);
      const appliesFrom = running.length ? ('next run' as const) : ('now' as const);
      return {
        flow: await describeFlow(deps, ctx.engine.flow(req.params.name)),
        appliesFrom,
        ...(running.length
          ? {
              notice: `run ${running.map((r) => r.id).join(', ')} of ${req.params.name} is in progress and finishes with the settings it started with; this change applies from the next run`,
            }
          : {}),
      };
    },
  );

  // Pick lists read from a source, by connection, entity and filter.
  const optionsCache = new Map<string, { at: number; options: FilterOption[] }>();
  /** The values a source lists for a pick list (kept a minute), or undefined when it lists none. */
  const sourceOptions = async (flow: Flow, filter: string): Promise<FilterOption[] | undefined> => {
    const key = `${flow.source}\u0000${flow.entity}\u0000${filter}`;
    const cached = optionsCache.get(key);
    if (cached && Date.now() - cached.at < OPTIONS_TTL_MS) return cached.options;
    const connector = ctx.connectors.get(flow.source);
    const options = connector.filterOptions ? await connector.filterOptions(flow.entity, filter) : undefined;
    if (options) optionsCache.set(key, { at: Date.now(), options });
    return options;
  };
  /**
   * Values picked in a pick list the source lists (classes, order types) must be among them, as the
   * manifest's fixed lists are: a typo is a 400 naming the filter, never a Load of 0 under a green
   * banner. Case is forgiven and the source's spelling kept. A source that cannot list them now is
   * not asked twice: the Load itself will tell.
   */
  const checkPicked = async (flow: Flow, q: ReadQuery): Promise<ReadQuery> => {
    const filters = { ...q.filters };
    for (const f of filtersOf(deps, flow)) {
      const values = filters[f.name];
      if (f.kind !== 'values' || f.options?.length || !values?.length) continue;
      const options = await sourceOptions(flow, f.name).catch(() => undefined);
      if (!options?.length) continue;
      const byLower = new Map(options.map((o) => [o.value.toLowerCase(), o.value]));
      const unknown = values.filter((v) => !byLower.has(v.toLowerCase()));
      if (unknown.length)
        throw new EngineError(
          'invalid_request',
          `filters.${f.name}: ${unknown.map((v) => `"${v}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among the values ${sourceTitle(deps, flow)} lists for ${f.title} (${options.map((o) => o.value).join(', ')})`,
        );
      filters[f.name] = values.map((v) => byLower.get(v.toLowerCase())!);
    }
    return q.filters ? { ...q, filters } : q;
  };

  app.get<{ Params: { name: string; filter: string } }>(
    '/api/flows/:name/filters/:filter/options',
    {
      schema: {
        tags: ['flows'],
        summary:
          "The values a `values` batch filter can take (a pick list): fixed ones from the source's manifest (statuses), or read from the source system (customer classes, item classes, order types) and kept for a minute",
        params: {
          type: 'object',
          properties: { name: { type: 'string' }, filter: { type: 'string' } },
          required: ['name', 'filter'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              filter: { type: 'string' },
              source: { type: 'string', enum: ['manifest', 'source', 'none'] },
              options: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { value: { type: 'string' }, title: { type: 'string' } },
                  required: ['value'],
                },
              },
            },
          },
          400: errorSchema,
          404: errorSchema,
          502: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (req) => {
      const flow = ctx.engine.flow(req.params.name);
      const f = filtersOf(deps, flow).find((o) => o.name === req.params.filter);
      if (f?.kind !== 'values') {
        const names = filtersOf(deps, flow)
          .filter((o) => o.kind === 'values')
          .map((o) => o.name);
        throw new EngineError(
          'invalid_request',
          `filter: ${sourceTitle(deps, flow)} has no pick list "${req.params.filter}" for ${entityWord(flow.entity)} records${names.length ? `; its pick lists are ${names.join(', ')}` : ''}`,
        );
      }
      if (f.options?.length)
        return { filter: f.name, source: 'manifest', options: f.options.map((value) => ({ value })) };
      const options = await sourceOptions(flow, f.name);
      return options
        ? { filter: f.name, source: 'source', options }
        : { filter: f.name, source: 'none', options: [] };
    },
  );

  app.post<{ Params: { name: string }; Querystring: { filename: string; filter?: string } }>(
    '/api/flows/:name/ids-file',
    {
      // Reading a file costs the server memory and time: only those who may start a run with it upload.
      config: { access: 'operator' },
      // The route's own limit, so that its 413 names the upload's limit rather than the server's.
      bodyLimit: IDS_FILE_LIMITS.maxUploadBytes,
      schema: {
        tags: ['flows'],
        summary:
          "Read the ids of an uploaded Excel (.xlsx), CSV or text file whose first row is the header the ID list names (`filter`: the list's filter name, e.g. customer or ids; default the flow's own ids)",
        params,
        querystring: {
          type: 'object',
          properties: {
            filename: { type: 'string', pattern: '\\.(xlsx|csv|txt)$' },
            filter: { type: 'string', description: 'the ID list (an `ids` batch filter) the file is for' },
          },
          required: ['filename'],
        },
        response: { 400: errorSchema, 404: errorSchema, 413: errorSchema, 422: errorSchema },
      },
    },
    async (req) => {
      const flow = ctx.engine.flow(req.params.name);
      const lists = filtersOf(deps, flow).filter((f) => f.kind === 'ids');
      const wanted = req.query.filter;
      const list = wanted
        ? lists.find((f) => f.name === wanted)
        : (lists.find((f) => f.name === 'ids') ?? lists[0]);
      if (wanted && !list)
        throw new EngineError(
          'invalid_request',
          `filter: ${sourceTitle(deps, flow)} has no ID list "${wanted}" for ${entityWord(flow.entity)} records${lists.length ? `; its ID lists are ${lists.map((f) => f.name).join(', ')}` : ''}`,
        );
      const header = list?.idFileHeader;
      if (!header)
        throw new EngineError(
          'invalid_request',
          `${flow.source} takes no ID files for ${flow.entity} records`,
        );
      const body = req.body as Buffer | undefined;
      if (!body?.length) throw new EngineError('invalid_request', `${req.query.filename} is empty`);
      const ids = await readIdsFile(req.query.filename, header, body);
      return { ids, count: ids.length, header, filter: list.name };
    },
  );

  app.post<{ Params: { name: string }; Body: QueryBody }>(
    '/api/flows/:name/load',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['flows'],
        summary:
          "Load: what processing would do to each selected record, with the source's grid columns, kept server-side as a batch to page and sort. At least one filter: dates, `filters` by name (pick lists and ID lists), or `ids`",
        params,
        body: readQuerySchema,
        response: { 404: errorSchema, 400: errorSchema, 502: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const flow = ctx.engine.flow(req.params.name);
      const query = await checkPicked(
        flow,
        toReadQuery(req.body, filtersOf(deps, flow), sourceTitle(deps, flow)),
      );
      if (!selects(query))
        throw new EngineError(
          'invalid_request',
          `${NOTHING_CHECKED} (The request names no filter: send since, until, ids or filters.)`,
        );
      const rows = await ctx.engine.preview(flow.name, query);
      const columns = columnsOf(ctx.config.connections.get(flow.source)?.definition.manifest, flow.entity);
      // Loads are looked at for minutes, not days.
      await ctx.store.batches.prune(new Date(Date.now() - 24 * 3_600_000).toISOString());
      const username = usernameOf(req);
      const batch = await ctx.store.batches.create(
        { flow: flow.name, query, columns, ...(username ? { createdBy: username } : {}) },
        rows.map((r) => {
          const values = r.columns ?? {};
          return {
            source_id: r.sourceId,
            label: (columns.length && searchText(columns, values)) || r.label,
            updated_at: r.updatedAt,
            current_state: r.currentState,
            target_id: r.targetId,
            plan: r.plan,
            reason: r.reason ?? null,
            fields: r.fields ? JSON.stringify(r.fields) : null,
            columns: columns.length ? JSON.stringify(values) : null,
            sortKeys: Object.fromEntries(
              columns.map((c) => [c.name, sortKey(c.type, values[c.name] ?? null)]),
            ),
          };
        }),
      );
      return { batchId: batch.id, count: rows.length, columns };
    },
  );

  app.post<{ Params: { name: string }; Body: Record<string, unknown>; Querystring: { limit?: number } }>(
    '/api/flows/:name/scan',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['flows'],
        summary:
          'Scan: before anything is written, every document processing would send (with what would happen to it), every customer and product those documents need (with what their flows would do) and every line they carry. Filters as for a Load, none to scan everything the flow reads; each list holds at most `limit` entries (default 200, at most 1000) with its full count beside it',
        params,
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } },
          additionalProperties: false,
        },
        body: readQuerySchema,
        response: { 404: errorSchema, 400: errorSchema, 502: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const flow = ctx.engine.flow(req.params.name);
      const query = await checkPicked(
        flow,
        toReadQuery(req.body ?? {}, filtersOf(deps, flow), sourceTitle(deps, flow)),
      );
      const limit = req.query.limit ?? 200;
      const scan = await ctx.engine.scan(flow.name, query);
      return {
        flow: scan.flow,
        counts: {
          records: scan.records.length,
          lines: scan.lines.length,
          // What no flow brings is counted by its ids (there is no flow's plan for each to list).
          ...Object.fromEntries(scan.needs.map((n) => [n.entity, n.flow ? n.rows.length : n.ids.length])),
        },
        records: scan.records.slice(0, limit),
        needs: scan.needs.map((n) => ({ ...n, ids: n.ids.slice(0, limit), rows: n.rows.slice(0, limit) })),
        lines: scan.lines.slice(0, limit),
      };
    },
  );

  app.post<{
    Params: { name: string };
    Body: QueryBody;
    Querystring: { limit?: number; offset?: number };
  }>(
    '/api/flows/:name/preview',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['flows'],
        summary:
          'Dry run: what processing would do to each selected record — create, update, unchanged, skip and why, wait and on what, fail and why — and for each update the fields that would change, old and new (`oldKnown` false where only "changed" is known). Writes nothing anywhere and keeps no batch. Filters as for a Load, none to preview everything the flow reads; or `batchId` (with `ids` of it, or none for all of it) to preview what Process would act on in that Load; `counts` covers every record, `rows` one page of at most `limit` (default 200, at most 1000) from `offset`',
        params,
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
          additionalProperties: false,
        },
        body: {
          ...readQuerySchema,
          properties: {
            ...readQuerySchema.properties,
            batchId: { ...rowId, description: "a Load's id: preview its records (or `ids` of them)" },
          },
        },
        response: { 404: errorSchema, 400: errorSchema, 502: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const flow = ctx.engine.flow(req.params.name);
      if (req.body?.incremental === true)
        throw new EngineError(
          'invalid_request',
          'incremental: a dry run previews what the filters select (the cursor is never read or moved); leave it out',
        );
      const query =
        req.body?.batchId !== undefined
          ? await loadedIds(flow, req.body.batchId, req.body.ids)
          : await checkPicked(
              flow,
              toReadQuery(req.body ?? {}, filtersOf(deps, flow), sourceTitle(deps, flow)),
            );
      const limit = req.query.limit ?? 200;
      const offset = req.query.offset ?? 0;
      const rows = await ctx.engine.dryRun(flow.name, query);
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.plan] = (counts[r.plan] ?? 0) + 1;
      return {
        flow: flow.name,
        total: rows.length,
        counts,
        offset,
        rows: rows.slice(offset, offset + limit).map((r) => ({
          sourceId: r.sourceId,
          label: r.label,
          plan: r.plan,
          targetId: r.targetId,
          currentState: r.currentState,
          reason: r.plan === 'update' ? null : (r.reason ?? null),
          waitingOn: r.waitingOn ?? null,
          changes: r.changes ?? null,
        })),
      };
    },
  );

  app.get<{ Params: { name: string; id: string } }>(
    '/api/flows/:name/source-records/:id',
    {
      schema: {
        tags: ['flows'],
        summary:
          "One record of the flow's source, found by its id (the customer screen's search): its grid columns, sync state and what processing would do",
        params: {
          type: 'object',
          properties: { name: { type: 'string' }, id: { type: 'string', minLength: 1, maxLength: 200 } },
          required: ['name', 'id'],
        },
        response: { 404: errorSchema, 400: errorSchema, 502: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const flow = ctx.engine.flow(req.params.name);
      const id = req.params.id.trim();
      const [row] = await ctx.engine.preview(flow.name, { ids: [id] });
      if (!row)
        throw new EngineError(
          'not_found',
          `${sourceTitle(deps, flow)} has no ${entityWord(flow.entity)} ${id}`,
        );
      return {
        source_id: row.sourceId,
        label: row.label,
        updated_at: row.updatedAt,
        current_state: row.currentState,
        target_id: row.targetId,
        plan: row.plan,
        reason: row.reason ?? null,
        fields: row.fields ?? null,
        columns: row.columns ?? {},
      };
    },
  );

  app.post<{ Params: { name: string }; Body: QueryBody }>(
    '/api/flows/:name/runs',
    {
      schema: {
        tags: ['flows'],
        summary:
          'Process: queue a run over a Load (its selected ids, or all of it), over a read query, or — with confirm: true and nothing else — over every record of the flow. Answers with the request id; its progress at /api/flows/{name}/events?request=…',
        params,
        body: {
          ...readQuerySchema,
          properties: {
            ...readQuerySchema.properties,
            batchId: rowId,
            confirm: {
              type: 'boolean',
              description: 'needed to process every record of the flow (no batchId, no filter)',
            },
          },
        },
        response: {
          202: {
            type: 'object',
            properties: {
              queued: { type: 'boolean' },
              flow: { type: 'string' },
              request: { type: 'string' },
              events: { type: 'string' },
            },
          },
          404: errorSchema,
          400: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const flow = ctx.engine.flow(req.params.name);
      let query: ReadQuery;
      if (req.body?.batchId !== undefined) {
        query = await loadedIds(flow, req.body.batchId, req.body.ids);
      } else {
        query = await checkPicked(
          flow,
          toReadQuery(req.body, filtersOf(deps, flow), sourceTitle(deps, flow)),
        );
        if (!selects(query) && req.body?.incremental !== true && req.body?.confirm !== true)
          throw new EngineError(
            'invalid_request',
            `confirm: a run with neither batchId (a Load) nor a filter processes every record of ${flow.name} at once; send confirm: true to do that, or Load first and send its batchId`,
          );
      }
      const request = randomUUID();
      const startedBy = usernameOf(req);
      await ctx.queue.add({
        task: RUN_TASK,
        payload: {
          flow: flow.name,
          trigger: 'manual',
          query,
          incremental: req.body?.incremental === true,
          request,
          ...(startedBy ? { startedBy } : {}),
        },
        jobKey: `run:${flow.name}:manual:${request}`,
      });
      wake?.();
      return reply.code(202).send({
        queued: true,
        flow: flow.name,
        request,
        events: `/api/flows/${encodeURIComponent(flow.name)}/events?request=${request}`,
      });
    },
  );

  app.get<{ Params: { name: string }; Querystring: { run?: number; request?: string } }>(
    '/api/flows/:name/events',
    {
      schema: {
        tags: ['flows'],
        summary:
          "Server-sent events (`run`): a run's counts, total and status whenever they change — the run a request queued (`request`, while queued and then running), a given run (`run`), or else the flow's latest",
        params,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            run: { ...rowId, description: 'follow this run' },
            request: {
              type: 'string',
              maxLength: 100,
              description: 'follow the run this request queued (POST /api/flows/{name}/runs answers with it)',
            },
          },
        },
        response: { 404: errorSchema, 400: errorSchema },
      },
    },
    async (req, reply) =>
      flowEvents(deps, ctx.engine.flow(req.params.name).name, req, reply, {
        ...(req.query.run !== undefined ? { run: req.query.run } : {}),
        ...(req.query.request ? { request: req.query.request } : {}),
      }),
  );

  app.get<{ Querystring: { flow?: string; limit: number; offset: number } }>(
    '/api/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Runs, newest first',
        querystring: { type: 'object', properties: { flow: { type: 'string' }, ...paging } },
      },
    },
    async (req) => ({
      runs: (await ctx.store.runs.list(req.query)).map((r) => ({ ...r, filter: JSON.parse(r.filter) })),
    }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/runs/:id',
    {
      schema: {
        tags: ['runs'],
        params: { type: 'object', properties: { id: rowId } },
        response: { 404: errorSchema },
      },
    },
    async (req, reply) => {
      const run = await ctx.store.runs.get(req.params.id);
      if (!run)
        return reply.code(404).send({ error: { code: 'not_found', message: `no run ${req.params.id}` } });
      return { ...run, filter: JSON.parse(run.filter) };
    },
  );

  // Uploads arrive as the file's bytes; the only upload is an ID file, so its limit is the body's.
  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: IDS_FILE_LIMITS.maxUploadBytes },
    (_r, b, done) => done(null, b),
  );
}
