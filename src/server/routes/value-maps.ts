import type { FastifyInstance } from 'fastify';
import { literal } from '../../config/load.js';
import type { ServerDeps } from '../app.js';
import { editable, mapAt } from './flow-edit.js';
import { errorSchema } from './schemas.js';

/** Value maps, read and edited in the configuration file (the one source of truth). */
export function registerValueMapRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx } = deps;
  const maps = () => Object.fromEntries([...ctx.config.valueMaps.values()].map((m) => [m.name, m.rows]));

  app.get(
    '/api/value-maps',
    { schema: { tags: ['flows'], summary: 'Value maps: rows naming the same code on each connection' } },
    async () => ({ maps: maps() }),
  );

  app.put<{ Params: { name: string }; Body: { rows: Array<Record<string, string>> } }>(
    '/api/value-maps/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['flows'],
        summary:
          'Replace the rows of a value map (written to the configuration file, applied without a restart)',
        params: {
          type: 'object',
          properties: { name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]*$' } },
          required: ['name'],
        },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['rows'],
          properties: {
            rows: {
              type: 'array',
              items: {
                type: 'object',
                minProperties: 2,
                additionalProperties: { type: 'string', minLength: 1 },
              },
            },
          },
        },
        response: { 400: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      await editable(deps).edit((doc) => {
        mapAt(doc, ['valueMaps']);
        doc.setIn(['valueMaps', req.params.name], doc.createNode(literal(req.body.rows)));
      });
      return { rows: maps()[req.params.name] ?? [] };
    },
  );
}
