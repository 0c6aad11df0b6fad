import type { FastifyInstance } from 'fastify';
import type { ReadQuery } from '../../connectors/sdk/contract.js';
import type { BatchFilter } from '../../connectors/sdk/manifest.js';
import { EngineError } from '../../engine/errors.js';
import type { Flow } from '../../engine/flow.js';
import { IDS_FILE_LIMITS, parseFilterDate, readIdsFile } from '../../engine/ids-file.js';
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
}

/**
 * A person's filters as the source reads them. Dates must be dates; a filter the flow's source does
 * not offer is refused by name (a typo must not load 0 records under a green banner).
 */
export function toReadQuery(b: QueryBody = {}, offered?: readonly BatchFilter[]): ReadQuery {
  const q: ReadQuery = {};
  if (b.since) q.since = parseFilterDate(b.since, 'since');
  if (b.until) q.until = parseFilterDate(b.until, 'until', true);
  if (q.since && q.until && q.since > q.until)
    throw new EngineError('invalid_request', `since (${b.since}) is after until (${b.until})`);
  if (b.ids?.length) q.ids = b.ids;
  if (b.filters && Object.keys(b.filters).length) {
    if (offered) {
      const values = offered.filter((f) => f.kind === 'values').map((f) => f.name);
      for (const name of Object.keys(b.filters))
        if (!values.includes(name))
          throw new EngineError(
            'invalid_request',
            `filters.${name}: the source offers no such filter; ${values.length ? `it offers ${values.join(', ')}` : 'it offers none by values'}`,
          );
    }
    q.filters = b.filters;
  }
  return q;
}

/** The batch filters the flow's source offers for its entity. */
const filtersOf = (deps: ServerDeps, f: Flow): readonly BatchFilter[] =>
  deps.ctx.config.connections.get(f.source)?.definition.manifest.entities[f.entity]?.read?.filters ?? [];

/** Who asked, when access control knows (kept with a Load). */
const userOf = (req: unknown): { createdBy?: string } => {
  const u = (req as { user?: { username?: string } }).user;
  return u?.username ? { createdBy: u.username } : {};
};

const params = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } as const;

/** What the dashboard shows of a flow: its settings, what its connectors offer, its records and last run. */
async function describeFlow(deps: ServerDeps, f: Flow) {
  const { ctx } = deps;
  const [last] = await ctx.store.runs.list({ flow: f.name, limit: 1 });
  const source = ctx.config.connections.get(f.source)?.definition.manifest;
  const target = ctx.config.connections.get(f.target)?.definition.manifest;
  const { flowCatalog } = await import('../../flows/catalog.js');
  return {
    name: f.name,
    description: flowCatalog[f.name]?.description ?? null,
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
    filters: source?.entities[f.entity]?.read?.filters ?? [],
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

  app.post<{ Params: { name: string }; Querystring: { filename: string } }>(
    '/api/flows/:name/ids-file',
    {
      // Reading a file costs the server memory and time: only those who may start a run with it upload.
      config: { access: 'operator' },
      schema: {
        tags: ['flows'],
        summary:
          "Read the ids of an uploaded Excel (.xlsx) or CSV file whose first row is the header the flow's source names",
        params,
        querystring: {
          type: 'object',
          properties: { filename: { type: 'string', pattern: '\\.(xlsx|csv)$' } },
          required: ['filename'],
        },
        response: { 400: errorSchema, 404: errorSchema, 413: errorSchema, 422: errorSchema },
      },
    },
    async (req) => {
      const flow = ctx.engine.flow(req.params.name);
      const header = ctx.config.connections
        .get(flow.source)
        ?.definition.manifest.entities[flow.entity]?.read?.filters.find(
          (f) => f.kind === 'ids',
        )?.idFileHeader;
      if (!header)
        throw new EngineError(
          'invalid_request',
          `${flow.source} takes no ID files for ${flow.entity} records`,
        );
      const body = req.body as Buffer | undefined;
      if (!body?.length) throw new EngineError('invalid_request', `${req.query.filename} is empty`);
      const ids = await readIdsFile(req.query.filename, header, body);
      return { ids, count: ids.length, header };
    },
  );

  app.post<{ Params: { name: string }; Body: QueryBody }>(
    '/api/flows/:name/load',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['flows'],
        summary:
          'Load: what processing would do to each selected record, kept server-side as a batch to page and sort',
        params,
        body: readQuerySchema,
        response: { 404: errorSchema, 400: errorSchema },
      },
    },
    async (req) => {
      const flow = ctx.engine.flow(req.params.name);
      const query = toReadQuery(req.body, filtersOf(deps, flow));
      const rows = await ctx.engine.preview(flow.name, query);
      // Loads are looked at for minutes, not days.
      await ctx.store.batches.prune(new Date(Date.now() - 24 * 3_600_000).toISOString());
      const batch = await ctx.store.batches.create(
        { flow: flow.name, query, ...userOf(req) },
        rows.map((r) => ({
          source_id: r.sourceId,
          label: r.label,
          updated_at: r.updatedAt,
          current_state: r.currentState,
          target_id: r.targetId,
          plan: r.plan,
          reason: r.reason ?? null,
          fields: r.fields ? JSON.stringify(r.fields) : null,
        })),
      );
      return { batchId: batch.id, count: rows.length };
    },
  );

  app.post<{ Params: { name: string }; Body: QueryBody }>(
    '/api/flows/:name/runs',
    {
      schema: {
        tags: ['flows'],
        summary:
          'Process: queue a run over a Load (its selected ids, or all of it) or over a read query; progress at /api/flows/{name}/events',
        params,
        body: {
          ...readQuerySchema,
          properties: { ...readQuerySchema.properties, batchId: rowId },
        },
        response: { 404: errorSchema, 400: errorSchema },
      },
    },
    async (req, reply) => {
      const flow = ctx.engine.flow(req.params.name);
      let query: ReadQuery;
      if (req.body?.batchId !== undefined) {
        const batch = await ctx.store.batches.get(req.body.batchId);
        if (!batch || batch.flow !== flow.name)
          throw new EngineError(
            'invalid_request',
            `no Load ${req.body.batchId} of flow ${flow.name}; load again`,
          );
        const all = await ctx.store.batches.sourceIds(batch.id);
        const chosen = req.body.ids?.length ? req.body.ids : all;
        const known = new Set(all);
        const stray = chosen.filter((id) => !known.has(id));
        if (stray.length)
          throw new EngineError(
            'invalid_request',
            `${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ` and ${stray.length - 5} more` : ''} are not in Load ${batch.id}`,
          );
        if (chosen.length === 0) throw new EngineError('invalid_request', `Load ${batch.id} has no records`);
        query = { ids: chosen };
      } else query = toReadQuery(req.body, filtersOf(deps, flow));
      await ctx.queue.add({
        task: RUN_TASK,
        payload: { flow: flow.name, trigger: 'manual', query, incremental: req.body?.incremental === true },
        jobKey: `run:${flow.name}:manual:${Date.now()}`,
      });
      wake?.();
      return reply.code(202).send({ queued: true, flow: flow.name });
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/flows/:name/events',
    {
      schema: {
        tags: ['flows'],
        summary: "Server-sent events: the flow's latest run (counts, total, status) whenever it changes",
        params,
        response: { 404: errorSchema },
      },
    },
    async (req, reply) => flowEvents(deps, ctx.engine.flow(req.params.name).name, req, reply),
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
