import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Metrics, processMetrics } from '../runtime/metrics.js';
import type { Store } from '../store/index.js';
import { migrationState } from '../store/migrate.js';
import { identify } from './auth/credentials.js';
import { AccessError, deny } from './auth/errors.js';
import { atLeast } from './auth/roles.js';

export interface Check {
  name: string;
  ok: boolean;
  message: string;
}

/**
 * Whether this process can do its work: the store answers and its schema is the one this code was
 * written for. The connected systems are not asked: readiness decides whether a process gets traffic
 * or stays in rotation, and an ERP or a shop that is down must not take every process out with it —
 * the webhook intake keeps storing deliveries and the dashboard keeps showing what failed, which is
 * exactly when people need them; `ledgerlink doctor`, Test connection and the metrics report the
 * systems instead.
 */
export async function readiness(store: Store): Promise<{ ok: boolean; checks: Check[] }> {
  const checks: Check[] = [];
  try {
    const { missing, unknown } = await migrationState(store.db);
    // No path or address: /ready answers anyone, and where the store lives is nobody else's business.
    checks.push({ name: 'store', ok: true, message: `the ${store.adapter.name} store answers` });
    checks.push(
      missing.length
        ? { name: 'migrations', ok: false, message: `not applied: ${missing.join(', ')}` }
        : unknown.length
          ? {
              name: 'migrations',
              ok: false,
              message: `the store was migrated by a newer Ledgerlink (${unknown.join(', ')}); upgrade this process`,
            }
          : { name: 'migrations', ok: true, message: 'current' },
    );
  } catch (e) {
    // The driver's message may name the file or the host; the log has it whole.
    const code = (e as { code?: unknown }).code;
    checks.push({
      name: 'store',
      ok: false,
      message: `the ${store.adapter.name} store does not answer${typeof code === 'string' ? ` (${code})` : ''}`,
    });
  }
  return { ok: checks.every((c) => c.ok), checks };
}

export async function answerReadiness(store: Store, reply: FastifyReply) {
  const r = await readiness(store);
  if (r.ok) return r;
  const message = r.checks
    .filter((c) => !c.ok)
    .map((c) => `${c.name}: ${c.message}`)
    .join('; ');
  return reply.code(503).send({ ...r, message });
}

export async function answerMetrics(metrics: Metrics, reply: FastifyReply) {
  return reply.type(metrics.contentType).send(await metrics.text());
}

/**
 * /health, /ready and /metrics for a process that serves no API (`ledgerlink worker`): mount them on
 * its own small listener. Without the API's access plugin, /metrics checks the caller itself — the
 * same viewer API tokens as the API's, since the tokens live in the shared store.
 */
export function mountProbes(app: FastifyInstance, deps: { store: Store; metrics?: Metrics }): void {
  const metrics = deps.metrics ?? processMetrics();
  app.get('/health', async () => ({ ok: true }));
  app.get('/ready', async (_req, reply) => answerReadiness(deps.store, reply));
  app.get('/metrics', async (req, reply) => {
    const refused = await viewerRefusal(deps.store, req);
    if (refused) return deny(reply, refused);
    return answerMetrics(metrics, reply);
  });
}

async function viewerRefusal(store: Store, req: FastifyRequest): Promise<AccessError | undefined> {
  const who = await identify(store, req);
  if (!who.caller) return new AccessError('unauthenticated', who.message);
  if (!atLeast(who.caller.role, 'viewer'))
    return new AccessError(
      'forbidden',
      `GET /metrics needs the viewer role; ${who.caller.username} has none`,
    );
  return undefined;
}
