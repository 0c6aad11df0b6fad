import type { FastifyInstance } from 'fastify';
import { type ConfiguredConnection, literal } from '../../config/load.js';
import { toErrorData } from '../../connectors/sdk/errors.js';
import type { ConnectionField } from '../../connectors/sdk/manifest.js';
import { EngineError } from '../../engine/errors.js';
import { SECRET_PREFIX } from '../../runtime/connections.js';
import type { ServerDeps } from '../app.js';
import { editable, mapAt } from './flow-edit.js';
import { authorizationOf } from './oauth.js';
import { errorSchema } from './schemas.js';

export function registerConnectionRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx } = deps;
  app.get(
    '/api/connections',
    { schema: { tags: ['connections'], summary: 'Connections and their non-secret settings' } },
    async () => ({ connections: [...ctx.config.connections.values()].map((c) => describe(deps, c)) }),
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

  app.put<{ Params: { name: string }; Body: { settings: Record<string, unknown> } }>(
    '/api/connections/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['connections'],
        summary:
          "Change a connection's settings: written to the configuration file and applied without a restart; a secret is kept sealed in the store, the file names it ${secret:<field>}, and an empty secret keeps the current one",
        params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['settings'],
          properties: {
            settings: {
              type: 'object',
              additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
            },
          },
        },
        response: { 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const conn = ctx.config.connections.get(req.params.name);
      if (!conn)
        return reply
          .code(404)
          .send({ error: { code: 'not_found', message: `no connection named "${req.params.name}"` } });
      await saveConnectionEdit(deps, conn.name, conn.definition.manifest.connectionFields, req.body.settings);
      return { connection: describe(deps, ctx.config.connections.get(conn.name)!) };
    },
  );
}

/** A connection as the dashboard shows it: secret settings only say whether they are set. */
function describe(deps: ServerDeps, c: ConfiguredConnection) {
  const fields = c.definition.manifest.connectionFields;
  const secret = new Set(fields.filter((f) => f.type === 'secret').map((f) => f.name));
  return {
    name: c.name,
    connector: c.definition.manifest.name,
    title: c.definition.manifest.title,
    settings: Object.fromEntries(
      Object.entries(c.settings).map(([k, v]) => [k, secret.has(k) ? (v ? '********' : null) : v]),
    ),
    // What the connection may send: the manifest's limit under the configuration's override.
    rateLimit: c.rateLimit,
    // Whether access is granted through an OAuth consent page (POST /api/connections/<name>/authorize).
    authorization: authorizationOf(deps, c.name) !== undefined,
    fields,
    // Lists beside the entities (the Sage View's invoice items and transactions), to find and upload from.
    listings: c.definition.manifest.listings ?? [],
  };
}

async function saveConnectionEdit(
  deps: ServerDeps,
  name: string,
  fields: readonly ConnectionField[],
  settings: Record<string, unknown>,
): Promise<void> {
  const live = editable(deps);
  const current = deps.ctx.config.connections.get(name)?.settings ?? {};
  const values: Array<[string, unknown]> = [];
  const secrets: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(settings)) {
    const field = fields.find((f) => f.name === key);
    if (!field)
      throw new EngineError(
        'invalid_request',
        `connection "${name}" has no setting "${key}"; it has: ${fields.map((f) => f.name).join(', ')}`,
      );
    if (field.type === 'secret') {
      if (value === null || value === undefined || value === '') continue;
      secrets.push([key, String(value)]);
      values.push([key, `\${secret:${key}}`]);
    } else values.push([key, value === '' ? null : literal(value)]);
  }
  // A saved secret goes only where it was saved for: a new address needs every secret typed again,
  // and what the connection kept from the old one (a refresh token) is forgotten.
  const moved = fields
    .filter((f) => f.type === 'url' && key(settings, f.name) && settings[f.name] !== current[f.name])
    .map((f) => f.name);
  if (moved.length) {
    const typed = new Set(secrets.map(([k]) => k));
    const untyped = fields
      .filter((f) => f.type === 'secret' && !f.inbound && isSet(current[f.name]) && !typed.has(f.name))
      .map((f) => f.name);
    if (untyped.length)
      throw new EngineError(
        'invalid_request',
        `${moved.join(' and ')} of connection "${name}" changes, so type ${untyped.join(' and ')} again: a saved secret is never sent to an address it was not saved for`,
      );
  }
  const kept = deps.ctx.store.credentials.forConnection(name);
  for (const [key, value] of secrets) await kept.set(`${SECRET_PREFIX}${key}`, value);
  await live.edit((doc) => {
    mapAt(doc, ['connections', name, 'settings']);
    for (const [key, value] of values) {
      if (value === null) doc.deleteIn(['connections', name, 'settings', key]);
      else doc.setIn(['connections', name, 'settings', key], value);
    }
  });
  if (moved.length) await deps.ctx.store.credentials.forget(name, { except: SECRET_PREFIX });
}

const key = (o: Record<string, unknown>, k: string): boolean => Object.hasOwn(o, k);
const isSet = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
