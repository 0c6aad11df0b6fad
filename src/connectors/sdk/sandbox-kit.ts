import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { SpecValidator } from './conformance.js';

/**
 * Shared machinery of every sandbox: fault injection (status codes with Retry-After, hangs), a
 * record of every call, optional latency, conformance checking of traffic against the published
 * spec, and the /_sandbox control routes. A connector's sandbox adds the API's own routes.
 */
export interface SandboxOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Seed of the deterministic sample-data generator. */
  seed?: number;
  /** Validate every request and response against the published spec; violations collect in `violations`. */
  conformance?: boolean;
  /** Added to every API call, to imitate a remote system. */
  latencyMs?: number;
  /**
   * An allowance of API calls per second, as a token bucket of that many (bursts up to one second's
   * worth): a call beyond it is answered 429 with Retry-After, as rate-limited APIs do.
   */
  requestsPerSecond?: number;
}

export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; times?: number; match?: FaultMatch }
  | { kind: 'hang'; times?: number; match?: FaultMatch };

export interface FaultMatch {
  method?: string;
  /** Substring of the path (below the API base) that the fault applies to. */
  path?: string;
}

export interface CallRecord {
  method: string;
  path: string;
  status: number;
  /** When the answer went out (ms since the epoch). */
  at: number;
  /** When the request arrived, before any latency (ms since the epoch). */
  arrivedAt: number;
}

export interface SpecMount {
  /** URL prefix the spec's paths live under, e.g. "/rest/default". */
  prefix: string;
  validator: SpecValidator;
}

export interface SandboxKit {
  app: FastifyInstance;
  violations: string[];
  calls: CallRecord[];
  faults: Fault[];
  injectFault(f: Fault): void;
  clearFaults(): void;
  /** Calls whose method writes (POST/PUT/PATCH/DELETE), below the API base, excluding auth. */
  writeCalls(): CallRecord[];
  listen(opts: SandboxOptions): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

interface Mounted {
  mount: SpecMount;
  path: string;
}

function mountOf(specs: readonly SpecMount[], url: string): Mounted | undefined {
  const path = url.split('?')[0] ?? url;
  for (const mount of specs) {
    if (path.startsWith(`${mount.prefix}/`)) return { mount, path: path.slice(mount.prefix.length) };
  }
  return undefined;
}

function queryOf(req: FastifyRequest): Record<string, string | string[] | undefined> {
  const q = req.query as Record<string, unknown> | undefined;
  const out: Record<string, string | string[] | undefined> = {};
  // Fastify parses `a[b]=1` as a flat key with the querystring parser we configure below.
  for (const [k, v] of Object.entries(q ?? {})) out[k] = Array.isArray(v) ? v.map(String) : String(v);
  return out;
}

export function createSandboxKit(opts: {
  name: string;
  specs: readonly SpecMount[];
  conformance: boolean;
  latencyMs?: number;
  requestsPerSecond?: number;
  /** Paths that never count as API writes (login, token). */
  authPaths?: readonly string[];
  /** Builds the system's own error body for an injected fault. */
  faultBody: (status: number) => unknown;
}): SandboxKit {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    bodyLimit: 20 * 1024 * 1024,
    // Keep bracketed keys (searchCriteria[pageSize]) flat, exactly as they appear on the wire.
    routerOptions: {
      querystringParser: (s: string) => Object.fromEntries(groupParams(new URLSearchParams(s))),
    },
  });
  const violations: string[] = [];
  const calls: CallRecord[] = [];
  const faults: Fault[] = [];
  const sockets = new Set<Socket>();
  const authPaths = new Set(opts.authPaths ?? []);

  const rps = opts.requestsPerSecond;
  let tokens = rps ?? 0;
  let refilledAt = Date.now();
  const arrivals = new WeakMap<FastifyRequest, number>();

  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/_sandbox')) return;
    arrivals.set(req, Date.now());
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const path = req.url.split('?')[0] ?? req.url;
    if (rps && !authPaths.has(path)) {
      const now = Date.now();
      tokens = Math.min(rps, tokens + ((now - refilledAt) / 1000) * rps);
      refilledAt = now;
      if (tokens < 1) {
        (req as FastifyRequest & { fault?: boolean }).fault = true;
        reply.header('retry-after', String(Math.ceil((1 - tokens) / rps)));
        return reply.code(429).send(opts.faultBody(429));
      }
      tokens -= 1;
    }
    const idx = faults.findIndex(
      (f) =>
        (!f.match?.method || f.match.method.toUpperCase() === req.method) &&
        (!f.match?.path || path.includes(f.match.path)) &&
        !authPaths.has(path),
    );
    if (idx < 0) return;
    const fault = faults[idx]!;
    if (fault.times !== undefined && --fault.times <= 0) faults.splice(idx, 1);
    (req as FastifyRequest & { fault?: boolean }).fault = true;
    if (fault.kind === 'hang') {
      calls.push({
        method: req.method,
        path,
        status: 0,
        at: Date.now(),
        arrivedAt: arrivals.get(req) ?? Date.now(),
      });
      reply.hijack(); // never answer; the socket is destroyed when the sandbox closes
      return reply;
    }
    if (fault.retryAfterSeconds !== undefined) reply.header('retry-after', String(fault.retryAfterSeconds));
    return reply.code(fault.status).send(opts.faultBody(fault.status));
  });

  if (opts.conformance) {
    app.addHook('preHandler', async (req) => {
      const m = mountOf(opts.specs, req.url);
      if (!m) return;
      const found = m.mount.validator.checkRequest({
        method: req.method,
        path: m.path,
        query: queryOf(req),
        body: req.body ?? undefined,
      });
      for (const v of found) violations.push(`${opts.name} request: ${v}`);
    });
    app.addHook('onSend', async (req, reply, payload) => {
      const m = mountOf(opts.specs, req.url);
      if (!m) return payload;
      let body: unknown;
      if (typeof payload === 'string' && payload.length > 0) {
        try {
          body = JSON.parse(payload);
        } catch {
          violations.push(`${opts.name} response: ${req.method} ${m.path} answered a body that is not JSON`);
        }
      }
      const fault = (req as FastifyRequest & { fault?: boolean }).fault === true;
      for (const v of m.mount.validator.checkResponse(
        { method: req.method, path: m.path },
        reply.statusCode,
        body,
        { fault },
      )) {
        violations.push(`${opts.name} response: ${v}`);
      }
      return payload;
    });
  }

  app.addHook('onResponse', async (req, reply) => {
    if (req.url.startsWith('/_sandbox')) return;
    calls.push({
      method: req.method,
      path: req.url.split('?')[0] ?? req.url,
      status: reply.statusCode,
      at: Date.now(),
      arrivedAt: arrivals.get(req) ?? Date.now(),
    });
  });

  // Control routes, for people running `ledgerlink sandbox` and for tests in other processes.
  app.post('/_sandbox/faults', async (req: FastifyRequest, reply: FastifyReply) => {
    const f = req.body as Fault;
    if (!f || (f.kind !== 'status' && f.kind !== 'hang'))
      return reply.code(400).send({ message: 'kind must be status or hang' });
    faults.push(f);
    return { faults };
  });
  app.delete('/_sandbox/faults', async () => {
    faults.length = 0;
    return { faults };
  });
  // `?list=1` adds every call record, for benchmarks in other processes that time arrivals;
  // `&since=n` only those after the first n, so a bench polling while a run lasts reads each record
  // once instead of the whole growing log each time (its CPU is taken from the run it measures).
  app.get<{ Querystring: { list?: string; since?: string } }>('/_sandbox/calls', async (req) => ({
    calls: calls.length,
    writes: writeCalls().length,
    violations,
    ...(req.query.list ? { list: calls.slice(Math.max(0, Number(req.query.since) || 0)) } : {}),
  }));

  function writeCalls(): CallRecord[] {
    return calls.filter(
      (c) => c.method !== 'GET' && !authPaths.has(c.path) && !c.path.startsWith('/_sandbox'),
    );
  }

  app.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return {
    app,
    violations,
    calls,
    faults,
    injectFault: (f) => faults.push({ ...f }),
    clearFaults: () => {
      faults.length = 0;
    },
    writeCalls,
    async listen(o) {
      const address = await app.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 0 });
      const port = (app.server.address() as { port: number }).port;
      return { url: address.replace('[::1]', '127.0.0.1'), port };
    },
    async close() {
      for (const s of sockets) s.destroy();
      await app.close();
    },
  };
}

/** Repeated keys become arrays; single keys stay strings. */
function groupParams(params: URLSearchParams): Array<[string, string | string[]]> {
  const out = new Map<string, string | string[]>();
  for (const [k, v] of params) {
    const prev = out.get(k);
    out.set(k, prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]);
  }
  return [...out.entries()];
}

/** Small deterministic PRNG (mulberry32) so a seed always yields the same sample data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
