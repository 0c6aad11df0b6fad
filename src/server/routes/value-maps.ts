import type { FastifyInstance } from 'fastify';
import { ConfigError, literal } from '../../config/load.js';
import { checkValueMapCodes, valueMapColumns } from '../../engine/value-map-codes.js';
import type { ServerDeps } from '../app.js';
import { editable, mapAt } from './flow-edit.js';
import { errorSchema } from './schemas.js';

/** Value maps, read and edited in the configuration file (the one source of truth). */
export function registerValueMapRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx } = deps;
  const maps = () => Object.fromEntries([...ctx.config.valueMaps.values()].map((m) => [m.name, m.rows]));
  /** Each map's columns in one order (the flows' connections, source first), for every screen. */
  const columns = () => {
    const flows = [...ctx.config.flows.values()];
    const names = new Set([
      ...ctx.config.valueMaps.keys(),
      ...flows.flatMap((f) => Object.values(f.valueMaps)),
    ]);
    return Object.fromEntries(
      [...names].map((name) => [
        name,
        valueMapColumns(
          name,
          ctx.config.valueMaps.get(name)?.rows ?? [],
          flows,
          ctx.config.connections.keys(),
        ),
      ]),
    );
  };

  app.get(
    '/api/value-maps',
    {
      schema: {
        tags: ['flows'],
        summary:
          'Value maps: rows naming the same code on each connection; columns: the order to show each map in (the connections of the flows that use it, source first)',
      },
    },
    async () => ({ maps: maps(), columns: columns() }),
  );

  app.put<{ Params: { name: string }; Body: { rows: Array<Record<string, string>> } }>(
    '/api/value-maps/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['flows'],
        summary:
          'Replace the rows of a value map (each code checked against the codes its system lists, where its API can; written to the configuration file, applied without a restart)',
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
      const { name } = req.params;
      const { rows } = req.body;
      // A connection the configuration does not have is refused by the edit itself, with its place.
      const known = rows.every((r) => Object.keys(r).every((c) => ctx.config.connections.has(c)));
      const check = known
        ? await checkValueMapCodes(name, rows, ctx.config.flows.values(), (c) => ctx.connectors.get(c))
        : { problems: [], checked: [], unchecked: [] };
      if (check.problems.length) throw new ConfigError(check.problems, 'unknown_code');
      await editable(deps).edit((doc) => {
        mapAt(doc, ['valueMaps']);
        doc.setIn(['valueMaps', name], doc.createNode(literal(rows)));
      });
      return { rows: maps()[name] ?? [], checked: check.checked, unchecked: check.unchecked };
    },
  );
}
