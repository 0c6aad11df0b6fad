import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Paths the dashboard never answers for: the API, webhook intake, documentation and probes. */
const SERVER_PATHS = [
  /^\/api(\/|$)/,
  /^\/hooks(\/|$)/,
  /^\/docs(\/|$)/,
  /^\/openapi\.json$/,
  /^\/health$/,
  /^\/ready$/,
  /^\/metrics$/,
];

const isServerPath = (path: string): boolean => SERVER_PATHS.some((p) => p.test(path));

/** The built dashboard: LEDGERLINK_WEB_DIR, else web/dist of the package this file belongs to. */
export function dashboardDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.LEDGERLINK_WEB_DIR) return env.LEDGERLINK_WEB_DIR;
  // src/server/ when run from the sources, dist/src/server/ when built: walk up to the package root.
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ledgerlink')
          return join(dir, 'web', 'dist');
      } catch {
        /* not ours; keep walking */
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ledgerlink</title>
<style>body{font:15px system-ui,sans-serif;margin:3rem auto;max-width:40rem;color:#1d2733}code{background:#eef2f6;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><h1>Ledgerlink</h1><p>The dashboard is not built. In Ledgerlink's folder, run <code>npm run build:web</code> (or <code>npm run build</code>) and reload this page.</p>
<p>The API is running: <a href="/docs">API documentation</a> · <a href="/health">health</a>.</p></body></html>`;

/** A browser asking for a page (not a script, an image or an API client). */
const wantsPage = (req: FastifyRequest): boolean =>
  (req.method === 'GET' || req.method === 'HEAD') && (req.headers.accept ?? '').includes('text/html');

/** The 404 of everything the dashboard does not answer, in the shape of every other refusal. */
const notFound = (req: FastifyRequest, reply: FastifyReply) =>
  reply.code(404).send({ error: { code: 'not_found', message: `Route ${req.method}:${req.url} not found` } });

/**
 * Serves the dashboard (web/dist) at `/`: its files by path, and index.html for any page address
 * outside the API (/log, /batch/…) so the browser's router shows the screen. Hashed assets are cached
 * for a year; index.html never, so a new build is picked up at the next load.
 */
export async function registerDashboard(app: FastifyInstance, dir = dashboardDir()): Promise<void> {
  const hide = { schema: { hide: true } };
  const index = dir ? join(dir, 'index.html') : null;
  if (!dir || !index || !existsSync(index)) {
    const page = (_req: FastifyRequest, reply: FastifyReply) =>
      reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    app.get('/', hide, page);
    app.setNotFoundHandler((req, reply) =>
      wantsPage(req) && !isServerPath(req.url.split('?')[0]!) ? page(req, reply) : notFound(req, reply),
    );
    return;
  }

  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: false,
    wildcard: true,
    cacheControl: false,
    // The access plugin's onRequest hook already lets pages outside /api through; files hold no data.
    setHeaders: (res, path) => {
      if (/[\\/]assets[\\/]/.test(path))
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      else res.setHeader('cache-control', 'no-cache');
    },
  });

  const sendIndex = (_req: FastifyRequest, reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', dir, { cacheControl: false });
  app.get('/', hide, sendIndex);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    if (wantsPage(req) && !isServerPath(path) && !/\/assets\//.test(path)) return sendIndex(req, reply);
    return notFound(req, reply);
  });
}
