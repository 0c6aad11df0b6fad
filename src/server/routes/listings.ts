import type { FastifyInstance } from 'fastify';
import type { ListedRow } from '../../connectors/sdk/contract.js';
import type { Listing } from '../../connectors/sdk/manifest.js';
import { EngineError } from '../../engine/errors.js';
import type { ServerDeps } from '../app.js';
import { toReadQuery } from './flows.js';
import { errorSchema } from './schemas.js';

/** The most rows one Find of a listing returns (its count is whole). */
const LIST_MAX = 1000;

/**
 * How a listing is found, in words: its text filter first, then its value filters, then (when asked
 * for and offered) its modified window, as "a, b or c".
 */
function ways(listing: Listing, window: boolean): string {
  const fs = listing.filters;
  const out = [
    ...fs.filter((f) => f.kind === 'text').map((f) => `the first letters to search by (filters.${f.name})`),
    ...fs
      .filter((f) => f.kind !== 'text' && f.kind !== 'dates')
      .map((f) => `${f.title.toLowerCase()} (filters.${f.name})`),
    ...(window && fs.some((f) => f.kind === 'dates') ? ['a modified window (since, until)'] : []),
  ];
  return out.length > 1 ? `${out.slice(0, -1).join(', ')} or ${out.at(-1)}` : (out[0] ?? 'its filters');
}

const params = {
  type: 'object',
  properties: { name: { type: 'string' }, listing: { type: 'string' } },
  required: ['name', 'listing'],
} as const;

/**
 * A connection's listings (the Sage View's invoice items and transactions, §6): found by the same
 * filters as a Load (a text filter, a modified window), read straight from the source — nothing is
 * planned, as nothing of a listing is synced itself; what a row brings over is uploaded through the
 * flows of its `uploads`.
 */
export function registerListingRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx } = deps;

  app.post<{
    Params: { name: string; listing: string };
    Body: { since?: string; until?: string; filters?: Record<string, string[]> };
    Querystring: { limit?: number };
  }>(
    '/api/connections/:name/listings/:listing/find',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['connections'],
        summary:
          "Find rows of a connection's listing (records shown beside its entities, e.g. Sage 50's invoice items and transactions) by its filters: the text filter's first letters, values (iSeller's outlets), or a modified window where it has one. At most `limit` rows (default 200, at most 1000), with the full count",
        params,
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: LIST_MAX, default: 200 } },
          additionalProperties: false,
        },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: { type: 'string', maxLength: 40 },
            until: { type: 'string', maxLength: 40 },
            filters: {
              type: 'object',
              additionalProperties: {
                type: 'array',
                items: { type: 'string', maxLength: 200 },
                maxItems: 10,
              },
            },
          },
        },
        response: { 400: errorSchema, 404: errorSchema, 502: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const conn = ctx.config.connections.get(req.params.name);
      if (!conn) throw new EngineError('not_found', `no connection named "${req.params.name}"`);
      const manifest = conn.definition.manifest;
      const listing: Listing | undefined = manifest.listings?.find((l) => l.name === req.params.listing);
      if (!listing)
        throw new EngineError(
          'not_found',
          `listing: ${manifest.title} has no list "${req.params.listing}"${manifest.listings?.length ? `; it lists ${manifest.listings.map((l) => l.name).join(', ')}` : ''}`,
        );
      const query = toReadQuery(req.body ?? {}, listing.filters, manifest.title);
      const dated = listing.filters.some((f) => f.kind === 'dates');
      if ((query.since || query.until) && !dated)
        throw new EngineError(
          'invalid_request',
          `${query.since ? 'since' : 'until'}: ${manifest.title}'s ${listing.title} have no modified window; find them by ${ways(listing, false)}`,
        );
      if (!query.since && !query.until && !query.filters)
        throw new EngineError(
          'invalid_request',
          `filters: name ${ways(listing, true)}; a listing is never read whole`,
        );
      const connector = ctx.connectors.get(conn.name);
      if (!connector.listRows)
        throw new EngineError('not_found', `listing: ${manifest.title}'s connector lists no rows`);
      const limit = req.query.limit ?? 200;
      const rows: ListedRow[] = [];
      let count = 0;
      for await (const page of connector.listRows(listing.name, query)) {
        count += page.length;
        for (const r of page) if (rows.length < limit) rows.push(r);
      }
      return {
        listing: listing.name,
        count,
        rows,
        columns: listing.columns,
        uploads: listing.uploads ?? [],
        ...(listing.viewOnly ? { viewOnly: listing.viewOnly } : {}),
      };
    },
  );
}
