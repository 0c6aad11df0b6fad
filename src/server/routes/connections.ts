import type { FastifyInstance } from 'fastify';
import { toErrorData } from '../../connectors/sdk/errors.js';
import type { ServerDeps } from '../app.js';
import { errorSchema } from './schemas.js';

export function registerConnectionRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
  app.get(
    '/api/connections',
    { schema: { tags: ['connections'], summary: 'Connections and their non-secret settings' } },
    async () => ({
      connections: [...ctx.config.connections.values()].map((c) => {
        const fields = c.definition.manifest.connectionFields;
        const secret = new Set(fields.filter((f) => f.type === 'secret').map((f) => f.name));
        return {
          name: c.name,
          connector: c.definition.manifest.name,
          title: c.definition.manifest.title,
          settings: Object.fromEntries(
            Object.entries(c.settings).map(([k, v]) => [k, secret.has(k) ? (v ? '********' : null) : v]),
          ),
          fields,
        };
      }),
    }),
  );

  app.post<{ Params: { name: string } }>(
    '/api/connections/:name/check',
    {
      schema: {
        tags: ['connections'],
        summary: 'Test connection: reachability, credentials, permissions',
        params: { type: 'object', properties: { name: { type: 'string' } } },
        response: { 404: errorSchema },
      },
    },
    async (req, reply) => {
      if (!ctx.config.connections.has(req.params.name)) {
        return reply
          .code(404)
          .send({ error: { code: 'not_found', message: `no connection named "${req.params.name}"` } });
      }
      try {
        const checks = await ctx.connectors.get(req.params.name).check();
        return { ok: checks.every((c) => c.ok), checks };
      } catch (e) {
        return { ok: false, checks: [{ name: 'reach', ok: false, message: toErrorData(e).message }] };
      }
    },
  );
}
