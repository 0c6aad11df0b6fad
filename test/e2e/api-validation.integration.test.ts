import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Context, openContext } from '../../src/runtime/context.js';
import { type Service, startService } from '../../src/runtime/service.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { createApiToken } from '../../src/server/auth/api-tokens.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  required?: string[];
  additionalProperties?: unknown;
  properties?: Record<string, Schema>;
  minProperties?: number;
};
interface Operation {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

/** A value of the wrong type or outside the enum, for a parameter described by `schema`. */
function wrongValue(schema: Schema | undefined): string | undefined {
  if (!schema) return undefined;
  if (schema.enum) return 'not-one-of-them';
  const types = [schema.type].flat();
  if (types.includes('integer') || types.includes('number')) return 'not-a-number';
  return undefined;
}

/**
 * Every endpoint refuses what its schema does not allow with a 400 and a reason a person can act on,
 * before it does anything — walked from the OpenAPI document, so an endpoint added later is covered.
 */
describe('every endpoint validates its input', () => {
  let env: SyncEnvironment;
  let ctx: Context;
  let svc: Service;
  let app: FastifyInstance;
  let token: string;

  beforeAll(async () => {
    env = await startSyncEnvironment({ customers: 3, products: 3, seed: 9 });
    ctx = await openContext({ configPath: env.configPath });
    svc = await startService(ctx, { host: '127.0.0.1', port: 0 });
    app = svc.app;
    await createUser(ctx.store, {
      username: 'root',
      role: 'admin',
      password: 'correct horse battery',
      mustChangePassword: false,
    });
    token = (await createApiToken(ctx.store, { username: 'root', name: 'validation' })).token;
  });
  afterAll(async () => {
    await svc.stop();
    await ctx.close();
    await env.close();
  });

  it('a wrong body, path parameter or query parameter is a 400 with the reason', async () => {
    const doc = (await app.inject('/openapi.json')).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    const checked: string[] = [];
    const problems: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const [method, op] of Object.entries(ops)) {
        // Path parameters get valid-looking values unless one of them is the one made wrong.
        const fill = (wrong?: string) =>
          path.replace(/\{(\w+)\}/g, (_m, name: string) => {
            if (name === wrong) return 'not-a-number';
            const p = op.parameters?.find((x) => x.in === 'path' && x.name === name);
            return [p?.schema?.type].flat().includes('integer') ? '1' : 'acumatica-magento.customers';
          });
        const attempts: Array<{ what: string; url: string; payload?: unknown }> = [];
        for (const p of op.parameters ?? []) {
          const bad = wrongValue(p.schema);
          if (p.in === 'path' && bad) attempts.push({ what: `path ${p.name}`, url: fill(p.name) });
          if (p.in === 'query' && bad)
            attempts.push({ what: `query ${p.name}`, url: `${fill()}?${p.name}=${bad}` });
        }
        const body = op.requestBody?.content?.['application/json']?.schema;
        if (body && (body.additionalProperties === false || body.required?.length)) {
          const requiredQuery = (op.parameters ?? []).filter((p) => p.in === 'query' && p.required);
          const query = requiredQuery.map((p) => `${p.name}=x.csv`).join('&');
          attempts.push({
            what: 'body',
            url: `${fill()}${query ? `?${query}` : ''}`,
            payload: body.additionalProperties === false ? { notAField: 1 } : {},
          });
        }
        for (const a of attempts) {
          const res = await app.inject({
            method: method.toUpperCase() as 'GET',
            url: a.url,
            headers: { authorization: `Bearer ${token}` },
            ...(a.payload !== undefined ? { payload: a.payload as object } : {}),
          });
          const label = `${method.toUpperCase()} ${path} (${a.what})`;
          checked.push(label);
          const error = (res.json() as { error?: { code?: string; message?: string } }).error;
          if (res.statusCode !== 400 || !error?.message || error.message.length < 10)
            problems.push(`${label}: ${res.statusCode} ${JSON.stringify(error)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // A floor, so that a document that stopped describing its inputs fails here.
    expect(checked.length).toBeGreaterThanOrEqual(25);
  });

  it('what the router and Node refuse before any route runs is {error: {code, message}} too (found by the fuzz suite)', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const cases: Array<[string, Record<string, string>, number, string]> = [
      // No such route: the dashboard's 404 handler.
      ['/api/nothing-here', auth, 404, 'not_found'],
      // Address and headers over Node's 16 KB: refused by its HTTP parser, the socket then closes.
      [`/api/flows/x?flow=${'Z'.repeat(20_000)}`, auth, 431, 'headers_too_large'],
      ['/api/flows', { ...auth, 'x-pad': 'h'.repeat(17_000) }, 431, 'headers_too_large'],
    ];
    for (const [path, headers, status, code] of cases) {
      const res = await fetch(`${svc.url}${path}`, { headers });
      const text = await res.text();
      expect(res.status, `${path.slice(0, 80)} ${text.slice(0, 200)}`).toBe(status);
      const error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
      expect(error?.code, text).toBe(code);
      expect(error?.message?.length, text).toBeGreaterThan(10);
    }
    // Numbers Ajv's coercion lets through as Infinity (ajv#2212): a 400 naming the field, on both stores.
    for (const [method, url, payload] of [
      ['DELETE', '/api/tokens/Infinity', undefined],
      ['GET', '/api/runs/1e999', undefined],
      ['GET', '/api/log?offset=Infinity', undefined],
      ['GET', '/api/records?limit=-Infinity', undefined],
      ['PUT', '/api/records/1/data', '{"data": {"creditLimit": 1e400}}'],
    ] as const) {
      const res = await app.inject({
        method,
        url,
        headers: { ...auth, ...(payload ? { 'content-type': 'application/json' } : {}) },
        ...(payload ? { payload } : {}),
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message, url).toMatch(
        /^(params|querystring|body)\/[\w/]+ must be a finite number$/,
      );
    }
    // Text holding NUL, which PostgreSQL cannot keep (a token named "\u0000" was a 500 there).
    for (const [method, url, payload] of [
      ['POST', '/api/tokens', '{"name": "\\u0000", "role": "viewer"}'],
      ['POST', '/api/auth/login', '{"username": "a\\u0000", "password": "correct horse battery"}'],
      ['POST', '/api/records/link', '{"flow": "f", "sourceId": "C\\u00001", "targetId": "1"}'],
      ['GET', '/api/records?search=%00', undefined],
    ] as const) {
      const res = await app.inject({
        method,
        url,
        headers: { ...auth, ...(payload ? { 'content-type': 'application/json' } : {}) },
        ...(payload ? { payload } : {}),
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message, url).toMatch(
        /^(querystring|body)\/\w+ must not contain NUL \(U\+0000\)$/,
      );
    }
    // An id or filter value longer than an ID file's: a 400, not the source's refusal answered 502.
    for (const payload of [
      { ids: ['Z'.repeat(257)] },
      { filters: { customerClass: ['Z'.repeat(20_000)] } },
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/flows/acumatica-magento.customers/load',
        headers: auth,
        payload,
      });
      expect(res.statusCode, res.body.slice(0, 200)).toBe(400);
      expect(res.json().error.message).toMatch(/must NOT have more than 256 characters/);
    }
    // A path parameter over the router's 100 characters (GET falls through to the dashboard's 404).
    const long = await app.inject({
      method: 'PUT',
      url: `/api/flows/${'Z'.repeat(101)}`,
      headers: auth,
      payload: {},
    });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ error: { code: 'uri_too_long', message: expect.any(String) } });
    // A malformed %-escape in a path parameter, sent as is.
    const bad = await app.inject({ method: 'PUT', url: '/api/flows/%E0%A4%A', headers: auth, payload: {} });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'invalid_request', message: expect.any(String) } });
  });
});
