import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerDeps } from '../app.js';
import { limitsOf } from '../limits.js';
import { limiter } from '../request-limits.js';
import { errorSchema, rowId } from '../routes/schemas.js';
import {
  changeOwnPassword,
  createUser,
  login,
  publicUser,
  removeUser,
  setPassword,
  setRole,
  USERNAME_PATTERN,
} from './accounts.js';
import { createApiToken, publicToken } from './api-tokens.js';
import { clearedSessionCookie, sessionCookie } from './cookies.js';
import { type Caller, sessionOf } from './credentials.js';
import { AccessError, deny, isAccessError } from './errors.js';
import { checkPassword, setConcurrentPasswordChecks } from './passwords.js';
import { ROLES, type Role } from './roles.js';
import { startSession } from './sessions.js';

const tags = ['access'];
const role = { type: 'string', enum: ROLES } as const;
/** Length rules are checked in code, which says them more plainly than a schema error would. */
const password = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const username = { type: 'string', pattern: USERNAME_PATTERN } as const;
const nullableString = { type: ['string', 'null'] } as const;

const sessionUserSchema = {
  type: 'object',
  properties: { username: { type: 'string' }, role, mustChangePassword: { type: 'boolean' } },
  required: ['username', 'role', 'mustChangePassword'],
} as const;

const whoSchema = {
  type: 'object',
  properties: { user: sessionUserSchema, csrfToken: nullableString },
  required: ['user', 'csrfToken'],
} as const;

const userSchema = {
  type: 'object',
  properties: {
    ...sessionUserSchema.properties,
    lockedUntil: nullableString,
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
  required: [...sessionUserSchema.required, 'lockedUntil', 'createdAt', 'updatedAt'],
} as const;

const tokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    name: { type: 'string' },
    role,
    createdAt: { type: 'string' },
    lastUsedAt: nullableString,
  },
  required: ['id', 'username', 'name', 'role', 'createdAt', 'lastUsedAt'],
} as const;

const usernameParams = {
  type: 'object',
  properties: { username: { type: 'string' } },
  required: ['username'],
};
const refusals = { 400: errorSchema, 401: errorSchema, 403: errorSchema } as const;
const done = { 204: { type: 'null', description: 'Done' } } as const;

/** Set by the access check on every route that is not public. */
const callerOf = (req: FastifyRequest): Caller => req.user!;

/**
 * Login and sessions, users (admins manage them) and API tokens (everyone manages their own; admins
 * see and revoke all). A viewer may still log out, change their own password and keep read-only tokens.
 */
export function registerAccessRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx } = deps;
  const limits = limitsOf(deps);
  setConcurrentPasswordChecks(limits.concurrentPasswordChecks);
  // Checked before the body is read: a caller over the limit costs no hash.
  const loginsFromOneAddress = limiter(app, {
    max: limits.loginsPerMinutePerAddress,
    key: (req) => req.ip,
    what: (req) => `more than ${limits.loginsPerMinutePerAddress} login attempts a minute from ${req.ip}`,
  });
  app.register(async (scope) => {
    scope.setErrorHandler((e, _req, reply) => {
      if (isAccessError(e)) return deny(reply, e);
      throw e; // to the server's handler: validation and internal errors
    });

    scope.post<{ Body: { username: string; password: string } }>(
      '/api/auth/login',
      {
        config: { access: 'public' },
        onRequest: async (req, reply) => {
          if (await loginsFromOneAddress(req, reply)) return reply;
          return undefined;
        },
        schema: {
          tags,
          summary: 'Log in: starts a session (the ledgerlink_session cookie) and returns its CSRF token',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['username', 'password'],
            properties: { username: { type: 'string', maxLength: 200 }, password },
          },
          response: { 200: whoSchema, 400: errorSchema, 401: errorSchema, 429: errorSchema },
        },
      },
      async (req, reply) => {
        const user = await login(ctx.store, req.body.username, req.body.password);
        const session = await startSession(ctx.store, user.username);
        reply.header('set-cookie', sessionCookie(req, session.token));
        return {
          user: {
            username: user.username,
            role: user.role,
            mustChangePassword: user.must_change_password === 1,
          },
          csrfToken: session.csrfToken,
        };
      },
    );

    scope.post(
      '/api/auth/logout',
      {
        config: { access: 'viewer' },
        schema: {
          tags,
          summary: 'Log out: ends the session and clears its cookie',
          response: { ...done, ...refusals },
        },
      },
      async (req, reply) => {
        const session = sessionOf(req);
        if (session) await ctx.store.sessions.remove(session.id);
        reply.header('set-cookie', clearedSessionCookie(req));
        return reply.code(204).send();
      },
    );

    scope.get(
      '/api/auth/me',
      {
        schema: {
          tags,
          summary: "Who is calling, and the session's CSRF token (null for an API token)",
          response: { 200: whoSchema, 401: errorSchema },
        },
      },
      async (req) => {
        const caller = callerOf(req);
        const session = sessionOf(req);
        const user = session ?? (await ctx.store.users.get(caller.username));
        return {
          user: {
            username: caller.username,
            role: caller.role,
            mustChangePassword: user?.must_change_password === 1,
          },
          csrfToken: session?.csrf_token ?? null,
        };
      },
    );

    scope.post<{ Body: { current: string; next: string } }>(
      '/api/auth/password',
      {
        config: { access: 'viewer' },
        schema: {
          tags,
          summary: 'Change your own password (at least 12 characters); your other sessions end',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['current', 'next'],
            properties: { current: password, next: password },
          },
          response: { ...done, ...refusals, 429: errorSchema },
        },
      },
      async (req, reply) => {
        await changeOwnPassword(
          ctx.store,
          callerOf(req).username,
          req.body.current,
          req.body.next,
          sessionOf(req)?.id,
        );
        return reply.code(204).send();
      },
    );

    scope.get(
      '/api/users',
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: 'Users and their roles',
          response: {
            200: { type: 'object', properties: { users: { type: 'array', items: userSchema } } },
            ...refusals,
          },
        },
      },
      async () => ({ users: (await ctx.store.users.list()).map(publicUser) }),
    );

    scope.post<{ Body: { username: string; role: Role; password: string; mustChangePassword?: boolean } }>(
      '/api/users',
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: 'Add a user; unless told otherwise they must change the password at their first login',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['username', 'role', 'password'],
            properties: { username, role, password, mustChangePassword: { type: 'boolean' } },
          },
          response: {
            201: { type: 'object', properties: { user: userSchema } },
            ...refusals,
            409: errorSchema,
          },
        },
      },
      async (req, reply) => {
        const user = await createUser(ctx.store, req.body);
        return reply.code(201).send({ user: publicUser(user) });
      },
    );

    scope.patch<{ Params: { username: string }; Body: { role?: Role; password?: string } }>(
      '/api/users/:username',
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary:
            "Change a user's role or set a new password (they must change it at their next login; their sessions end)",
          params: usernameParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: { role, password },
          },
          response: {
            200: { type: 'object', properties: { user: userSchema } },
            ...refusals,
            404: errorSchema,
            409: errorSchema,
          },
        },
      },
      async (req) => {
        const target = req.params.username;
        const self = callerOf(req).username === target;
        if (!(await ctx.store.users.get(target)))
          throw new AccessError('unknown_user', `no user named "${target}"`);
        // Checked first, so a weak password does not leave the role half-changed.
        if (req.body.password !== undefined) checkPassword(req.body.password);
        let user = req.body.role ? await setRole(ctx.store, target, req.body.role) : undefined;
        if (req.body.password !== undefined) {
          const keep = self ? sessionOf(req)?.id : undefined;
          user = await setPassword(ctx.store, target, req.body.password, {
            mustChange: !self,
            ...(keep ? { keepSession: keep } : {}),
          });
        }
        return { user: publicUser(user!) };
      },
    );

    scope.delete<{ Params: { username: string } }>(
      '/api/users/:username',
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: 'Remove a user with their sessions and tokens (never the last admin)',
          params: usernameParams,
          response: { ...done, ...refusals, 404: errorSchema, 409: errorSchema },
        },
      },
      async (req, reply) => {
        await removeUser(ctx.store, req.params.username);
        return reply.code(204).send();
      },
    );

    scope.get(
      '/api/tokens',
      {
        schema: {
          tags,
          summary: 'API tokens: your own (an admin sees everyone’s); never the tokens themselves',
          response: {
            200: { type: 'object', properties: { tokens: { type: 'array', items: tokenSchema } } },
            ...refusals,
          },
        },
      },
      async (req) => {
        const caller = callerOf(req);
        const rows = await ctx.store.tokens.list(caller.role === 'admin' ? undefined : caller.username);
        return { tokens: rows.map(publicToken) };
      },
    );

    scope.post<{ Body: { name: string; role?: Role } }>(
      '/api/tokens',
      {
        config: { access: 'viewer' },
        schema: {
          tags,
          summary:
            'Create an API token for scripts and the CLI (Authorization: Bearer ll_…), with your role or a lower one; shown this once',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, role },
          },
          response: {
            201: {
              type: 'object',
              properties: { ...tokenSchema.properties, token: { type: 'string' } },
              required: [...tokenSchema.required, 'token'],
            },
            ...refusals,
          },
        },
      },
      async (req, reply) => {
        const caller = callerOf(req);
        const created = await createApiToken(
          ctx.store,
          {
            username: caller.username,
            name: req.body.name,
            ...(req.body.role ? { role: req.body.role } : {}),
          },
          caller.role,
        );
        return reply.code(201).send(created);
      },
    );

    scope.delete<{ Params: { id: number } }>(
      '/api/tokens/:id',
      {
        config: { access: 'viewer' },
        schema: {
          tags,
          summary: 'Revoke an API token (your own; an admin may revoke any)',
          params: { type: 'object', properties: { id: rowId }, required: ['id'] },
          response: { ...done, ...refusals, 404: errorSchema },
        },
      },
      async (req, reply) => {
        const caller = callerOf(req);
        const token = await ctx.store.tokens.get(req.params.id);
        // Someone else's token is as unknown to a non-admin as one that does not exist.
        if (!token || (caller.role !== 'admin' && token.username !== caller.username))
          throw new AccessError('unknown_token', `no API token ${req.params.id}`);
        await ctx.store.tokens.remove(req.params.id);
        return reply.code(204).send();
      },
    );
  });
}
