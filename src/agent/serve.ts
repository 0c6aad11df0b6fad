import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Connector, WriteItem, WriteResult } from '../connectors/sdk/contract.js';
import { type ErrorData, LedgerlinkError, toErrorData } from '../connectors/sdk/errors.js';
import type { EntityName } from '../model/index.js';
import { IdempotentWrites } from './idempotent-writes.js';
import {
  AGENT_BODY_LIMIT,
  AGENT_PROTOCOL,
  bodies,
  type Hello,
  IDEMPOTENCY_HEADER,
  PATHS,
  sameToken,
} from './protocol.js';
import { ReadSessions } from './sessions.js';

export interface AgentOptions {
  /** The connector the agent serves, created from the agent machine's own configuration. */
  connector: Connector;
  /** Its connection's name there. */
  connection: string;
  token: string;
  logger: Logger;
  version: string;
  /** TLS for an agent reached over a network (off loopback). */
  https?: { cert: Buffer; key: Buffer };
  sessionIdleMs?: number;
}

/** The status an error answers with; the body carries its code and retry category, which decide. */
function statusOf(e: ErrorData): number {
  switch (e.category) {
    case 'rate_limited':
      return 429;
    case 'config':
      return 409;
    case 'rejected':
      return e.httpStatus === 410 || e.httpStatus === 409 ? e.httpStatus : 422;
    default:
      return e.httpStatus === 410 ? 410 : 503;
  }
}

function fail(reply: FastifyReply, e: unknown): FastifyReply {
  const error = toErrorData(e);
  if (error.retryAfterMs !== undefined) reply.header('retry-after', Math.ceil(error.retryAfterMs / 1000));
  return reply.code(statusOf(error)).send({ error });
}

/**
 * `ledgerlink agent`'s HTTP service: the connector contract over the wire, for a server elsewhere.
 * Every request carries the agent's token (compared in constant time) or is refused 401 before its
 * body is read. Bodies are validated, each refusal a 400 naming the field; a connector's error goes
 * back as data with its code and retry category, so the server retries exactly what it would retry
 * in process.
 */
export async function buildAgentServer(o: AgentOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: AGENT_BODY_LIMIT,
    ...(o.https ? { https: o.https } : {}),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  const sessions = new ReadSessions(o.sessionIdleMs);
  const writes = new IdempotentWrites<WriteResult[]>();
  const c = o.connector;

  app.addHook('onRequest', async (req, reply) => {
    const auth = req.headers.authorization ?? '';
    const presented = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!presented || !sameToken(presented, o.token)) {
      o.logger.warn({ from: req.ip, path: req.url }, 'agent: a request without the agent token was refused');
      reply.header('connection', 'close');
      return reply.code(401).send({
        error: {
          code: 'auth',
          category: 'config',
          message:
            'the agent refused the token: set the connection’s agentToken to the agent’s LEDGERLINK_AGENT_TOKEN',
        },
      });
    }
    return undefined;
  });
  app.addHook('onClose', async () => sessions.closeAll());

  /** A route taking a validated JSON body; a refusal names the field and the reason. */
  function route<S extends z.ZodType>(
    path: string,
    schema: S,
    handle: (body: z.infer<S>, reply: FastifyReply, headers: Record<string, unknown>) => Promise<unknown>,
  ): void {
    app.post(path, async (req, reply) => {
      const parsed = schema.safeParse(req.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join('.') || 'body';
        return reply.code(400).send({
          error: {
            code: 'invalid_data',
            category: 'rejected',
            message: `${field}: ${issue?.message}`,
            field,
          },
        });
      }
      try {
        return await handle(parsed.data, reply, req.headers);
      } catch (e) {
        o.logger.warn({ path, err: toErrorData(e) }, 'agent: the connector failed');
        return fail(reply, e);
      }
    });
  }

  app.get(PATHS.hello, async () => {
    const hello: Hello = {
      protocol: AGENT_PROTOCOL,
      connector: c.manifest.name,
      title: c.manifest.title,
      connection: o.connection,
      version: o.version,
    };
    return hello;
  });
  route(PATHS.check, bodies.check, async () => c.check());
  route(PATHS.read, bodies.read, async (b) =>
    sessions.start(c.read(b.entity as EntityName, b.query), b.skipPages),
  );
  route(PATHS.list, bodies.list, async (b) => {
    if (!c.listRows)
      throw new LedgerlinkError({
        code: 'not_found',
        category: 'rejected',
        message: `${c.manifest.title} has no listings`,
      });
    return sessions.start(c.listRows(b.listing, b.query), b.skipPages);
  });
  route(PATHS.next, bodies.next, async (b) => sessions.next(b.session, b.seq));
  route(PATHS.close, bodies.close, async (b) => {
    await sessions.close(b.session);
    return { closed: true };
  });
  route(PATHS.count, bodies.count, async (b) => ({
    count: (await c.count?.(b.entity as EntityName, b.query)) ?? null,
  }));
  route(PATHS.changed, bodies.changed, async (b) => ({
    changed: (await c.changedSince?.(b.entity as EntityName, b.token)) ?? null,
  }));
  route(PATHS.filterOptions, bodies.filterOptions, async (b) => ({
    options: (await c.filterOptions?.(b.entity as EntityName, b.filter)) ?? null,
  }));
  route(PATHS.get, bodies.get, async (b) => c.get(b.entity as EntityName, b.ids));
  route(PATHS.lookup, bodies.lookup, async (b) => [...(await c.lookup(b.entity as EntityName, b.keys))]);
  route(PATHS.write, bodies.write, async (b, reply, headers) => {
    const key = headers[IDEMPOTENCY_HEADER];
    if (typeof key !== 'string' || !/^[A-Za-z0-9-]{16,128}$/.test(key))
      return reply.code(400).send({
        error: {
          code: 'invalid_data',
          category: 'rejected',
          message: `${IDEMPOTENCY_HEADER}: a write needs a key of 16-128 letters, digits and dashes`,
          field: IDEMPOTENCY_HEADER,
        },
      });
    const { answer, repeat } = writes.run(key, () => c.write(b.entity as EntityName, b.items as WriteItem[]));
    if (repeat) o.logger.info({ key }, 'agent: a write asked again is answered as first written');
    return answer;
  });
  route(PATHS.knownCodes, bodies.knownCodes, async (b) => ({
    codes: (await c.knownCodes?.(b.field)) ?? null,
  }));
  return app;
}
