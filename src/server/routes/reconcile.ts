import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../engine/errors.js';
import { type ReconcileReport, reconcilePeriod } from '../../engine/reconcile.js';
import { reconcileCsv, reconcileXlsx } from '../../engine/reconcile-export.js';
import type { ServerDeps } from '../app.js';
import { who } from './records.js';
import { errorSchema, paging } from './schemas.js';

const params = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['name'],
} as const;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const KEY = /^(missing_in_target|target_gone|not_linked|differs|only_in_target):/;

/** The file name of a download: the flow and the period's days, nothing a header could trip on. */
const fileName = (r: ReconcileReport, ext: string) =>
  `reconcile-${r.flow}-${(r.since ?? '').slice(0, 10)}-${(r.until ?? '').slice(0, 10)}.${ext}`.replace(
    /[^\w.-]/g,
    '_',
  );

/**
 * Reconciliation of a flow over a period (reads both systems, writes nothing), its download as CSV
 * or XLSX, and what a person does about a finding: accept it as it is, or sync the records again.
 */
export function registerReconcileRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
  app.get<{
    Params: { name: string };
    Querystring: {
      from?: string;
      to?: string;
      format?: 'json' | 'csv' | 'xlsx';
      limit: number;
      offset: number;
    };
  }>(
    '/api/flows/:name/reconcile',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['flows'],
        summary:
          'Reconcile a flow over a period (from/to: YYYY-MM-DD or ISO date-time; default the last 7 days): each source record of the period and its linked target record compared field by field (money as decimals), records on one side only, and totals per day and currency on each side. Reads both systems, writes nothing. `counts` covers every finding, `findings` one page of at most `limit`; `format=csv` or `xlsx` downloads every finding and the totals',
        params,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', maxLength: 40 },
            to: { type: 'string', maxLength: 40 },
            format: { type: 'string', enum: ['json', 'csv', 'xlsx'], default: 'json' },
            ...paging,
          },
        },
        response: { 400: errorSchema, 404: errorSchema, 502: errorSchema, 503: errorSchema },
      },
    },
    async (req, reply) => {
      const flow = ctx.engine.flow(req.params.name);
      const report = await ctx.engine.reconcile(flow.name, reconcilePeriod(req.query.from, req.query.to));
      if (req.query.format === 'csv')
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${fileName(report, 'csv')}"`)
          .send(reconcileCsv(report));
      if (req.query.format === 'xlsx')
        return reply
          .header('content-type', XLSX)
          .header('content-disposition', `attachment; filename="${fileName(report, 'xlsx')}"`)
          .send(await reconcileXlsx(report));
      const { limit, offset } = req.query;
      return {
        ...report,
        total: report.findings.length,
        offset,
        findings: report.findings.slice(offset, offset + limit),
      };
    },
  );

  app.post<{ Params: { name: string }; Body: { key: string; fingerprint: string; reason?: string } }>(
    '/api/flows/:name/reconcile/accept',
    {
      schema: {
        tags: ['flows'],
        summary:
          'Accept a reconciliation finding as it is (who, why and when are kept): later reconciles show it as accepted, not as drift, until its values change',
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['key', 'fingerprint'],
          properties: {
            key: { type: 'string', minLength: 3, maxLength: 600 },
            fingerprint: { type: 'string', pattern: '^[0-9a-f]{16}$' },
            reason: { type: 'string', maxLength: 500 },
          },
        },
        response: { 400: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      if (!KEY.test(req.body.key))
        throw new EngineError(
          'invalid_request',
          `key: "${req.body.key}" is not a reconciliation finding's key`,
        );
      const a = await ctx.engine.acceptFinding(req.params.name, req.body, who(req), req.body.reason);
      return { accepted: { key: a.finding_key, by: a.accepted_by, reason: a.reason, at: a.accepted_at } };
    },
  );

  app.post<{ Params: { name: string }; Body: { sourceIds: string[] } }>(
    '/api/flows/:name/reconcile/resync',
    {
      schema: {
        tags: ['flows'],
        summary:
          "Sync records a reconciliation found again, now: a link whose target record is gone is taken back first, a linked record's owned fields are all written again",
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['sourceIds'],
          properties: {
            sourceIds: {
              type: 'array',
              minItems: 1,
              maxItems: 100,
              items: { type: 'string', minLength: 1, maxLength: 256 },
            },
          },
        },
        response: { 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const run = await ctx.engine.resync(req.params.name, req.body.sourceIds, who(req));
      return {
        runId: run.runId,
        status: run.status,
        counts: run.counts,
        outcomes: run.outcomes.map((o) => ({
          sourceId: o.sourceId,
          status: o.status,
          targetId: o.targetId ?? null,
          reason: o.reason ?? null,
        })),
      };
    },
  );
}
