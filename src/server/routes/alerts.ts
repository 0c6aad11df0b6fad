import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../engine/errors.js';
import { Alerter, currentRules, dashboardUrl } from '../../runtime/alerts/alerter.js';
import { CHANNELS, type Channel, sendersOf } from '../../runtime/alerts/channels.js';
import { testMessage } from '../../runtime/alerts/messages.js';
import { paramProblem, RULE_KINDS, RULES, type RuleKind } from '../../runtime/alerts/rules.js';
import type { AlertIncidentRow } from '../../store/index.js';
import type { ServerDeps } from '../app.js';
import { errorSchema, paging } from './schemas.js';

interface RuleBody {
  kind: RuleKind;
  enabled?: boolean;
  params?: Record<string, number>;
  scope?: string | null;
}

/**
 * Alerts: the rules (read by a viewer, changed by an operator or admin), the incidents they opened,
 * a check now, and a test message to a configured channel. Channels are the configuration's.
 */
export function registerAlertRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx } = deps;
  const alerter =
    deps.alerter ??
    new Alerter(
      ctx.store,
      () => ctx.config,
      ctx.logger,
      () => dashboardUrl(ctx.config),
    );

  const rulesAnswer = async () => ({
    rules: (await currentRules(ctx.store)).map((r) => ({
      ...r,
      scope: r.scope ?? null,
      title: RULES[r.kind].title,
      defaults: Object.fromEntries(Object.entries(RULES[r.kind].params).map(([k, p]) => [k, p.default])),
      paramInfo: RULES[r.kind].params,
    })),
    channels: channelsOf(),
    reminderHours: ctx.config.alerts?.reminderHours ?? 4,
    checkEverySeconds: ctx.config.alerts?.checkEverySeconds ?? 60,
  });
  const channelsOf = () => {
    const a = ctx.config.alerts;
    return {
      email: a?.email ? { configured: true, to: a.email.to, host: a.email.host } : { configured: false },
      webhook: a?.webhook
        ? { configured: true, format: a.webhook.format, host: new URL(a.webhook.url).host }
        : { configured: false },
    };
  };

  app.get(
    '/api/alerts/rules',
    {
      schema: {
        tags: ['alerts'],
        summary:
          'The alert rules as they run (defaults where nobody changed them) and the configured channels',
      },
    },
    rulesAnswer,
  );

  app.put<{ Body: { rules: RuleBody[] } }>(
    '/api/alerts/rules',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['alerts'],
        summary:
          'Change alert rules: enabled, parameters (each within its range), scope (one flow or connection, or null for all)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['rules'],
          properties: {
            rules: {
              type: 'array',
              minItems: 1,
              maxItems: RULE_KINDS.length,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['kind'],
                properties: {
                  kind: { type: 'string', enum: [...RULE_KINDS] },
                  enabled: { type: 'boolean' },
                  params: { type: 'object', maxProperties: 10, additionalProperties: { type: 'number' } },
                  scope: { type: ['string', 'null'], maxLength: 200 },
                },
              },
            },
          },
        },
        response: { 400: errorSchema },
      },
    },
    async (req) => {
      const current = new Map((await currentRules(ctx.store)).map((r) => [r.kind, r]));
      const known = new Set([...ctx.config.flows.keys(), ...ctx.config.connections.keys()]);
      const rows = req.body.rules.map((b, i) => {
        for (const [name, value] of Object.entries(b.params ?? {})) {
          const why = paramProblem(b.kind, name, value);
          if (why)
            throw new EngineError('invalid_request', `rules[${i}].${why.replace(/^params\./, 'params.')}`);
        }
        if (b.scope && !known.has(b.scope))
          throw new EngineError(
            'invalid_request',
            `rules[${i}].scope: no flow or connection named "${b.scope}"`,
          );
        const was = current.get(b.kind)!;
        const scope = b.scope === undefined ? (was.scope ?? null) : b.scope || null;
        return {
          kind: b.kind,
          enabled: (b.enabled ?? was.enabled) ? 1 : 0,
          params: JSON.stringify({ ...was.params, ...b.params }),
          scope,
          updated_by: req.user?.username ?? null,
          updated_at: new Date().toISOString(),
        };
      });
      for (const r of rows) await ctx.store.alerts.saveRule(r);
      return rulesAnswer();
    },
  );

  app.get<{ Querystring: { state?: 'open' | 'resolved'; limit: number; offset: number } }>(
    '/api/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Incidents, newest first (open or resolved), each with its messages per channel',
        querystring: {
          type: 'object',
          properties: { state: { type: 'string', enum: ['open', 'resolved'] }, ...paging },
        },
      },
    },
    async (req) => {
      const { rows, total } = await ctx.store.alerts.incidents({
        ...(req.query.state ? { state: req.query.state } : {}),
        limit: req.query.limit,
        offset: req.query.offset,
      });
      const deliveries = await ctx.store.alerts.deliveries(rows.map((r) => Number(r.id)));
      return {
        total,
        incidents: rows.map((r) => ({
          ...incidentOf(r),
          deliveries: deliveries
            .filter((d) => Number(d.incident_id) === Number(r.id))
            .map((d) => ({
              event: d.event,
              channel: d.channel,
              status: d.status,
              attempts: Number(d.attempts),
              error: d.error,
              sentAt: d.sent_at,
            })),
        })),
      };
    },
  );

  app.post(
    '/api/alerts/check',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['alerts'],
        summary:
          'Evaluate the rules now (the serving processes also do it every checkEverySeconds) and send what is due',
      },
    },
    async () => alerter.check(),
  );

  app.post<{ Body: { channel: Channel } }>(
    '/api/alerts/test',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['alerts'],
        summary:
          'Send a test message to a configured channel (email or webhook); answers what the channel said',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['channel'],
          properties: { channel: { type: 'string', enum: [...CHANNELS] } },
        },
        response: { 400: errorSchema, 502: errorSchema },
      },
    },
    async (req, reply) => {
      const send = sendersOf(ctx.config.alerts).get(req.body.channel);
      if (!send)
        throw new EngineError(
          'invalid_request',
          `channel: no ${req.body.channel} channel is configured (alerts.${req.body.channel} in ledgerlink.yaml)`,
        );
      try {
        await send(testMessage(dashboardUrl(ctx.config), new Date(), req.user?.username ?? 'the API'));
      } catch (e) {
        return reply.code(502).send({
          error: {
            code: 'channel_failed',
            message: `the ${req.body.channel} channel failed: ${(e as Error).message}`,
          },
        });
      }
      return { sent: true, channel: req.body.channel };
    },
  );
}

function incidentOf(r: AlertIncidentRow) {
  let details: unknown = {};
  try {
    details = JSON.parse(r.details);
  } catch {
    // kept as text by an older writer
  }
  return {
    id: Number(r.id),
    rule: r.rule,
    title: RULES[r.rule as RuleKind]?.title ?? r.rule,
    subject: r.subject,
    summary: r.summary,
    details,
    link: r.link,
    since: r.since,
    openedAt: r.opened_at,
    lastNotifiedAt: r.last_notified_at,
    resolvedAt: r.resolved_at,
    state: r.resolved_at ? 'resolved' : 'open',
  };
}
