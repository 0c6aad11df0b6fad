import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerDeps } from '../app.js';
import { countedBody, HARD_BODY_LIMIT, rawTextBodies, refusedByLength } from '../body-limits.js';
import { limiter } from '../request-limits.js';
import { errorSchema } from './schemas.js';

/**
 * Calls a minute the Web Connector may make to one connection from one address. A session makes two
 * calls per request it collects (sendRequestXML, receiveResponseXML) and a handful more; a thousand
 * invoices in one session is some 2,000 calls over a few minutes. This only cuts off a flood.
 */
const QBWC_CALLS_PER_MINUTE = 1_200;

type QbwcRequest = FastifyRequest<{ Params: { connection: string } }>;

/**
 * POST /qbwc/<connection>: the SOAP service the QuickBooks Web Connector polls (public: the Web
 * Connector logs in with the connection's user name and password through `authenticate`, and every
 * later call carries the ticket it got). GET /api/connections/<name>/qwc: the .qwc file an operator
 * adds to the Web Connector.
 */
export function registerQbwcRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx } = deps;
  const perAddress = limiter(app, {
    max: QBWC_CALLS_PER_MINUTE,
    key: (req) => `qbwc|${(req as QbwcRequest).params.connection}|${req.ip}`,
    what: (req) =>
      `more than ${QBWC_CALLS_PER_MINUTE} Web Connector calls a minute from ${req.ip} to connection "${(req as QbwcRequest).params.connection}"`,
  });

  /** The connection's SOAP endpoint, or why there is none. */
  const endpointOf = (name: string) => {
    if (!ctx.config.connections.has(name))
      return { refusal: `no connection named "${name}" is configured` } as const;
    const connector = ctx.connectors.get(name);
    const endpoint = connector.soapEndpoint;
    if (!endpoint)
      return {
        refusal: `${connector.manifest.title} connections are not reached through the Web Connector`,
      } as const;
    return { connector, endpoint } as const;
  };

  app.register(async (scope) => {
    rawTextBodies(scope);
    scope.post<{ Params: { connection: string } }>(
      '/qbwc/:connection',
      {
        config: { access: 'public' },
        schema: {
          tags: ['quickbooks-desktop'],
          summary:
            'The QuickBooks Web Connector’s SOAP service (authenticate, sendRequestXML, receiveResponseXML, connectionError, getLastError, closeConnection, serverVersion, clientVersion)',
          params: {
            type: 'object',
            properties: { connection: { type: 'string' } },
            required: ['connection'],
          },
          response: { 404: errorSchema, 413: errorSchema, 429: errorSchema },
        },
        onRequest: async (req, reply) => {
          const known = endpointOf(req.params.connection);
          if ('refusal' in known)
            return reply.code(404).send({ error: { code: 'not_found', message: known.refusal } });
          if (await perAddress(req, reply)) return reply;
          const max = Math.min(known.endpoint.maxBodyBytes, HARD_BODY_LIMIT);
          if (await refusedByLength(req, reply, max, 'a Web Connector call')) return reply;
          return undefined;
        },
        // A body sent without its length (chunked) is counted as it streams.
        preParsing: async (req, _reply, payload) => {
          const known = endpointOf(req.params.connection);
          const max = 'refusal' in known ? 0 : Math.min(known.endpoint.maxBodyBytes, HARD_BODY_LIMIT);
          return countedBody(payload, max, 'a Web Connector call');
        },
      },
      async (req, reply) => {
        const known = endpointOf(req.params.connection);
        if ('refusal' in known)
          return reply.code(404).send({ error: { code: 'not_found', message: known.refusal } });
        // Within its limit: countedBody refused a longer one while it streamed.
        const body = typeof req.body === 'string' ? req.body : '';
        const answer = await known.endpoint.handle(body, req.ip);
        return reply.code(answer.status).header('content-type', answer.contentType).send(answer.body);
      },
    );
  });

  app.get<{ Params: { name: string } }>(
    '/api/connections/:name/qwc',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['connections'],
        summary:
          'The .qwc file of a QuickBooks Desktop connection, to add to the QuickBooks Web Connector (where it polls, as whom, how often)',
        params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        response: { 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const known = endpointOf(req.params.name);
      if ('refusal' in known)
        return reply.code(404).send({ error: { code: 'not_found', message: known.refusal } });
      const file = known.endpoint.installFile();
      if ('refusal' in file)
        return reply.code(409).send({ error: { code: 'conflict', message: file.refusal } });
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .send(file.body);
    },
  );
}
