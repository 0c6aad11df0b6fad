import type { FastifyReply } from 'fastify';

/** Refusals a person must read as one clear line, with the HTTP status the API answers them with. */
export type AccessErrorCode =
  | 'invalid_request'
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'account_locked'
  | 'busy'
  | 'rate_limited'
  | 'forbidden'
  | 'csrf'
  | 'password_change_required'
  | 'weak_password'
  | 'wrong_password'
  | 'user_exists'
  | 'unknown_user'
  | 'unknown_token'
  | 'last_admin';

const STATUS: Record<AccessErrorCode, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  account_locked: 429,
  busy: 429,
  rate_limited: 429,
  forbidden: 403,
  csrf: 403,
  password_change_required: 403,
  weak_password: 400,
  wrong_password: 403,
  user_exists: 409,
  unknown_user: 404,
  unknown_token: 404,
  last_admin: 409,
};

export class AccessError extends Error {
  readonly accessError = true as const;
  constructor(
    readonly code: AccessErrorCode,
    message: string,
    /** Seconds until trying again makes sense (a locked account). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AccessError';
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export const isAccessError = (e: unknown): e is AccessError =>
  typeof e === 'object' && e !== null && (e as { accessError?: unknown }).accessError === true;

/** Answers with the error as data, as every API error is: {error: {code, message}}. */
export function deny(reply: FastifyReply, e: AccessError): FastifyReply {
  if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
  return reply.code(e.status).send({ error: { code: e.code, message: e.message } });
}
