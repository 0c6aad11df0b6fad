import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../app.js';
import { clearedSessionCookie } from './cookies.js';
import { type Caller, identify } from './credentials.js';
import { AccessError, deny } from './errors.js';
import { ACCESS, type Access, atLeast } from './roles.js';
import { registerAccessRoutes } from './routes.js';
import { accessOf, SAFE_METHODS } from './rules.js';
import { sameSecret } from './secrets.js';

export type { Caller } from './credentials.js';

// `config.access` is declared in ../route-access.ts, beside the routes that use it.
declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; null on public routes, which never look at credentials. */
    user: Caller | null;
  }
}

/** A route as the access check sees it. */
export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

const tables = new WeakMap<FastifyInstance, RouteAccess[]>();

/** Every route registered after the plugin, with who may call it (for tests and diagnostics). */
export const routeAccess = (app: FastifyInstance): readonly RouteAccess[] => tables.get(app) ?? [];

/**
 * Access control for every route, including those registered after it: each route declares
 * `config.access` or gets the default of rules.ts. Runs on onRequest — before the body is parsed or
 * validated — so a caller who may not call a route learns nothing about what it accepts.
 */
export async function registerAccess(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const table: RouteAccess[] = [];
  tables.set(app, table);
  app.decorateRequest('user', null);

  app.addHook('onRoute', (route) => {
    const declared = route.config?.access;
    for (const method of [route.method].flat()) {
      if (declared !== undefined && !ACCESS.includes(declared))
        throw new Error(`${method} ${route.url}: config.access must be one of ${ACCESS.join(', ')}`);
      table.push({ method, url: route.url, access: accessOf(method, route.url, declared) });
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    // A request matched by a wildcard (the dashboard's files at /*) or by no route at all is judged by
    // its own path, so /api/<anything> is never an open probe.
    const pattern = req.routeOptions.url;
    const path = pattern && !pattern.includes('*') ? pattern : req.url.split('?')[0]!;
    const access = accessOf(req.method, path, req.routeOptions.config?.access);
    if (access === 'public') return;
    const who = await identify(deps.ctx.store, req);
    if (!who.caller) {
      if (who.staleCookie) reply.header('set-cookie', clearedSessionCookie(req));
      return deny(reply, new AccessError('unauthenticated', who.message));
    }
    if (who.session) {
      // The cookie goes with every request a browser sends, whichever site's page made it; only our
      // pages can read the session's CSRF token and repeat it.
      const sent = req.headers['x-csrf-token'];
      if (
        !SAFE_METHODS.has(req.method) &&
        (typeof sent !== 'string' || !sameSecret(sent, who.session.csrf_token))
      )
        return deny(
          reply,
          new AccessError(
            'csrf',
            'a change made with the session cookie must carry the session’s CSRF token in x-csrf-token (from POST /api/auth/login or GET /api/auth/me)',
          ),
        );
      if (who.session.must_change_password === 1 && !path.startsWith('/api/auth/'))
        return deny(
          reply,
          new AccessError(
            'password_change_required',
            'this password was set by someone else: change it first (POST /api/auth/password)',
          ),
        );
    }
    if (!atLeast(who.caller.role, access))
      return deny(
        reply,
        new AccessError(
          'forbidden',
          `${req.method} ${path} needs the ${access} role; ${who.caller.username} acts as ${who.caller.role}${who.caller.via === 'token' ? ' with this token' : ''}`,
        ),
      );
    req.user = who.caller;
  });

  registerAccessRoutes(app, deps);
}
