import { readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../src/connectors/acumatica/sandbox/index.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { type Service, startService } from '../../src/runtime/service.js';
import { usersWithTokens } from '../support/api-server.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';

const FLOW = 'acumatica-magento.customers';
/** A variable of this process's environment the API must never hand out. */
const SECRET_VAR = 'LEDGERLINK_PROBE_SECRET';
const SECRET_VALUE = 'probe-secret-0f3c9a';

type Json = Record<string, unknown> & { error?: { code: string; message: string; problems?: string[] } };

/**
 * What an outside probe of the running service found (issue 13), each reproduced over real HTTP on
 * loopback against the service with the sandboxes behind it: values typed through the API are data,
 * never templates; a saved secret follows its address; every refusal is a 4xx that names the field;
 * the answers carry security headers and no paths.
 */
describe('the service under an outside probe', () => {
  let env: SyncEnvironment;
  let ctx: Context;
  let svc: Service;
  let admin: string;
  const logged: Array<{ level: number; msg: string; err?: { stack?: string } }> = [];
  /** Every body the API answered, to prove the secret never appears in any of them. */
  const answered: string[] = [];

  async function call(path: string, o: { method?: string; body?: unknown; raw?: string } = {}) {
    const res = await fetch(`${svc.url}${path}`, {
      method: o.method ?? 'GET',
      headers: {
        authorization: `Bearer ${admin}`,
        ...(o.body !== undefined || o.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      ...(o.raw !== undefined ? { body: o.raw } : {}),
    });
    const text = await res.text();
    answered.push(text);
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {
      /* not JSON */
    }
    return { status: res.status, json, headers: res.headers, text };
  }

  beforeAll(async () => {
    process.env[SECRET_VAR] = SECRET_VALUE;
    env = await startSyncEnvironment({ customers: 6, products: 2, seed: 11 });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line));
        done();
      },
    });
    ctx = await openContext({ configPath: env.configPath, logger: pino({ level: 'info' }, sink) });
    svc = await startService(ctx, { host: '127.0.0.1', port: 0 });
    admin = (await usersWithTokens(ctx.store, [['anna', 'admin']])).admin!;
  });
  afterAll(async () => {
    delete process.env[SECRET_VAR];
    await svc.stop();
    await ctx.close();
    await env.close();
  });

  it('values saved through the API are stored literally: ${ENV} is never expanded, and the secret never comes back', async () => {
    const ref = `\${${SECRET_VAR}}`;
    // A visible connection setting, a flow's condition and a value map row, each holding a reference.
    const conn = await call('/api/connections/magento', {
      method: 'PUT',
      body: { settings: { webhookSecretHeader: ref } },
    });
    expect(conn.status, conn.text).toBe(200);
    const flow = await call(`/api/flows/${FLOW}`, {
      method: 'PUT',
      // explain is JSONata: a string literal that would have shown the secret once expanded.
      body: { conditions: [{ name: ref, expression: 'true', explain: `"${ref}"` }] },
    });
    expect(flow.status, flow.text).toBe(200);
    const map = await call('/api/value-maps/probe', {
      method: 'PUT',
      body: { rows: [{ acumatica: ref, magento: `$${ref}` }] },
    });
    expect(map.status, map.text).toBe(200);

    // Read back literally, through every screen's API.
    const connections = (await call('/api/connections')).json.connections as Array<{
      name: string;
      settings: Record<string, unknown>;
    }>;
    expect(connections.find((c) => c.name === 'magento')?.settings.webhookSecretHeader).toBe(ref);
    const flows = (await call('/api/flows')).json.flows as Array<{ name: string; conditions: unknown }>;
    expect(flows.find((f) => f.name === FLOW)?.conditions).toEqual([
      { name: ref, expression: 'true', explain: `"${ref}"` },
    ]);
    expect((await call('/api/value-maps')).json.maps).toMatchObject({
      probe: [{ acumatica: ref, magento: `$${ref}` }],
    });
    // The file holds them escaped, so a restart reads them back the same way.
    const file = readFileSync(env.configPath, 'utf8');
    expect(file).toContain(`$\${${SECRET_VAR}}`);
    expect(file).not.toContain(SECRET_VALUE);
    // A reference to a sealed secret typed into a visible field stays text too.
    const sealedRef = await call('/api/connections/acumatica', {
      method: 'PUT',
      body: { settings: { branch: '${secret:password}' } },
    });
    expect(sealedRef.status, sealedRef.text).toBe(200);
    const acu = (
      (await call('/api/connections')).json.connections as Array<{
        name: string;
        settings: Record<string, unknown>;
      }>
    ).find((c) => c.name === 'acumatica');
    expect(acu?.settings.branch).toBe('${secret:password}');
    for (const text of answered) expect(text).not.toContain(SECRET_VALUE);
    // Put the demo's settings back for the tests below.
    await call('/api/connections/acumatica', { method: 'PUT', body: { settings: { branch: '' } } });
    await call('/api/connections/magento', {
      method: 'PUT',
      body: { settings: { webhookSecretHeader: '' } },
    });
    await call(`/api/flows/${FLOW}`, { method: 'PUT', body: { conditions: [] } });
  });

  it('a changed address needs the secrets typed again; the connection forgets what it kept for the old one', async () => {
    const kept = ctx.store.credentials.forConnection('acumatica');
    await kept.set('oauth:refresh_token', 'refresh-for-the-old-host');
    const moved = await call('/api/connections/acumatica', {
      method: 'PUT',
      body: { settings: { baseUrl: 'http://127.0.0.1:9/elsewhere' } },
    });
    expect(moved.status).toBe(400);
    expect(moved.json.error).toEqual({
      code: 'invalid_request',
      message:
        'baseUrl of connection "acumatica" changes, so type password again: a saved secret is never sent to an address it was not saved for',
    });
    // Nothing changed: Test connection still talks to the sandbox, with the saved password.
    const check = await call('/api/connections/acumatica/check', { method: 'POST' });
    expect(check.json.ok, check.text).toBe(true);
    expect(await kept.get('oauth:refresh_token')).toBe('refresh-for-the-old-host');

    // With the secret typed again, the address changes and what was kept for the old one is gone.
    const retyped = await call('/api/connections/acumatica', {
      method: 'PUT',
      body: { settings: { baseUrl: `${env.acumatica.url}/`, password: SANDBOX_CREDENTIALS.password } },
    });
    expect(retyped.status, retyped.text).toBe(200);
    expect(await kept.get('oauth:refresh_token')).toBeUndefined();
    expect((await call('/api/connections/acumatica/check', { method: 'POST' })).json.ok).toBe(true);
  });

  it('a configuration file broken by hand refuses edits with 409 and its problems, not a 500', async () => {
    const good = readFileSync(env.configPath, 'utf8');
    // Written while the service watches: the hand edit is refused and the last good one keeps running.
    writeFileSync(env.configPath, `${good}\nflows: [unclosed\n`);
    try {
      const edit = await call(`/api/flows/${FLOW}`, { method: 'PUT', body: { enabled: true } });
      expect(edit.status).toBe(409);
      expect(edit.json.error?.code).toBe('config_file_invalid');
      expect(edit.json.error?.message).toMatch(/is not valid YAML, so this change cannot be written into it/);
      expect(edit.json.error?.problems?.length).toBeGreaterThan(1);
    } finally {
      writeFileSync(env.configPath, good);
    }
  });

  it('query values a store cannot use are 400s naming the field, not 500s', async () => {
    for (const path of ['/api/log?offset=1e20', '/api/records?offset=1e20', '/api/webhooks?offset=1e20']) {
      const r = await call(path);
      expect(r.status, path).toBe(400);
      expect(r.json.error?.message, path).toMatch(/offset must be <= 1000000000/);
    }
    for (const path of ['/api/runs/1e20', '/api/log/99999999999']) {
      const r = await call(path);
      expect(r.status, path).toBe(400);
      expect(r.json.error?.message).toMatch(/id must be <= 2147483647/);
    }
    const since = await call('/api/log?since=yesterday');
    expect(since.status).toBe(400);
    expect(since.json.error?.message).toMatch(/^since "yesterday" is not a date/);
    const status = await call('/api/log?status=done');
    expect(status.status).toBe(400);
    expect(status.json.error?.message).toMatch(/status must match pattern/);
  });

  it('a Load with a filter the source does not offer, or dates the wrong way round, is a 400 that says so', async () => {
    const typo = await call(`/api/flows/${FLOW}/load`, {
      method: 'POST',
      body: { filters: { custmerClass: ['RETAIL'] } },
    });
    expect(typo.status).toBe(400);
    expect(typo.json.error).toEqual({
      code: 'invalid_request',
      message:
        'filters.custmerClass: Acumatica offers no such filter; it offers customerClass, ids, status, search',
    });
    const backwards = await call(`/api/flows/${FLOW}/load`, {
      method: 'POST',
      body: { since: '2026-03-01', until: '2026-02-01' },
    });
    expect(backwards.status).toBe(400);
    expect(backwards.json.error?.message).toBe('since (2026-03-01) is after until (2026-02-01)');
  });

  it('a body over the limit is 413 too_large; refusals are logged as one line without a stack', async () => {
    const before = logged.length;
    const big = await call(`/api/flows/${FLOW}`, {
      method: 'PUT',
      raw: JSON.stringify({ enabled: true, pad: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(big.json.error?.code).toBe('too_large');
    expect(big.json.error?.message).toMatch(/at most 1 MB\)$/);
    const lines = logged.slice(before);
    expect(lines.some((l) => l.msg.includes('larger than this endpoint takes'))).toBe(true);
    // 4xx are info (30), without a stack; nothing at error (50) for a caller's mistake.
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.some((l) => l.err?.stack)).toBe(false);
  });

  it('/ready answers without the store’s path; every answer carries the security headers', async () => {
    const ready = await fetch(`${svc.url}/ready`);
    const text = await ready.text();
    expect(ready.status).toBe(200);
    expect(text).toContain('the sqlite store answers');
    expect(text).not.toContain(env.dir);
    expect(text).not.toMatch(/\.db\b/);
    for (const path of ['/', '/api/flows', '/docs/', '/health']) {
      const r = await fetch(`${svc.url}${path}`, { headers: { authorization: `Bearer ${admin}` } });
      await r.arrayBuffer();
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/default-src 'self'/);
      expect(csp, path).toMatch(/script-src 'self'(;|$)/);
      expect(csp, path).toMatch(/frame-ancestors 'none'/);
      expect(csp, path).not.toMatch(/upgrade-insecure-requests/);
      expect(r.headers.get('x-frame-options'), path).toBe('DENY');
      expect(r.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('% and _ in a search box are the characters, not wildcards', async () => {
    const run = await call(`/api/flows/${FLOW}/runs`, { method: 'POST', body: { confirm: true } });
    expect(run.status).toBe(202);
    const end = Date.now() + 30_000;
    while (((await call('/api/records?limit=1')).json.total as number) < 6) {
      if (Date.now() > end) throw new Error('the customers did not sync');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Every record's ids hold digits; none holds % or _.
    for (const text of ['%', '_', '%%', '\\']) {
      const q = encodeURIComponent(text);
      expect((await call(`/api/records?search=${q}`)).json.total, text).toBe(0);
      expect((await call(`/api/log?text=${q}`)).json.total, text).toBe(0);
    }
    expect((await call('/api/records?search=c0000')).json.total).toBe(6);
  });
});
