import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BAD_LOGIN, unauthorized } from './errors.js';

export interface SandboxAuth {
  integrationToken: string;
  admin: { username: string; password: string };
  /** Admin tokens handed out and still valid; clearing it imitates their expiry. */
  adminTokens: Set<string>;
}

/** Bearer check of every API route: 401 with the ACL resource the route needs, like Magento. */
export async function authorised(
  auth: SandboxAuth,
  req: FastifyRequest,
  reply: FastifyReply,
  resource: string,
): Promise<boolean> {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (token && (token === auth.integrationToken || auth.adminTokens.has(token))) return true;
  await reply.code(401).send(unauthorized(resource));
  return false;
}

/** POST /V1/integration/admin/token: the token as a JSON string, or 401 for a wrong password. */
export function adminTokenRoute(app: FastifyInstance, prefix: string, auth: SandboxAuth): void {
  app.post(`${prefix}/V1/integration/admin/token`, async (req, reply) => {
    const b = (req.body ?? {}) as { username?: string; password?: string };
    if (b.username !== auth.admin.username || b.password !== auth.admin.password)
      return reply.code(401).send(BAD_LOGIN);
    const token = randomBytes(16).toString('hex');
    auth.adminTokens.add(token);
    return reply.type('application/json').send(JSON.stringify(token));
  });
}
