import { type ErrorData, LedgerlinkError } from '../sdk/errors.js';

/**
 * What Tryton puts in a JSON-RPC answer's "error": its own exceptions as [type, args]
 * (UserError: [message, description, domain]; UserWarning: [name, message, description];
 * LoginException: [name, message, type]; ConcurrencyException: message), a rate limit as an empty
 * list, and any other Python exception as [str(exception), traceback].
 */
export type RpcError = unknown[];

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** Tryton's message and description as one sentence a person reads. */
function said(message: unknown, description: unknown): string {
  const m = text(message);
  const d = text(description);
  return d && d !== m ? `${m} (${d})` : m;
}

/** The first line of a Python exception's text; tracebacks stay in the exchange record. */
const firstLine = (v: unknown): string => text(v).split('\n')[0] ?? '';

/** Python exceptions that mean "try again": a busy SQLite file, a dropped PostgreSQL connection. */
const TRANSIENT = /database is locked|could not serialize|deadlock|connection|timeout|OperationalError/i;

/**
 * Tryton's error answer as ErrorData. A UserError (AccessError, a required field, a missing account,
 * a domain violation) is the system refusing this record: rejected, with Tryton's own words. A
 * UserWarning is also a refusal until a person accepts the warning in Tryton. Anything else is an
 * outage or a bug on Tryton's side and counts as transient.
 */
export function rpcErrorData(error: RpcError, method: string): ErrorData {
  const [kind, args] = error;
  if (error.length === 0)
    return {
      code: 'rate_limit',
      category: 'rate_limited',
      message: `Tryton refused ${method}: too many requests`,
    };
  if (kind === 'UserError') {
    const [message, description] = Array.isArray(args) ? args : [args];
    return { code: 'invalid_data', category: 'rejected', message: said(message, description) };
  }
  if (kind === 'UserWarning') {
    const [name, message, description] = Array.isArray(args) ? args : [undefined, args];
    return {
      code: 'conflict',
      category: 'rejected',
      message: `${said(message, description)} — a warning a person must accept in Tryton (${text(name) || 'unnamed'})`,
    };
  }
  if (kind === 'LoginException') {
    const [, message] = Array.isArray(args) ? args : [undefined, args];
    return { code: 'auth', category: 'config', message: `Tryton asks for more to log in: ${text(message)}` };
  }
  if (kind === 'ConcurrencyException')
    return {
      code: 'conflict',
      category: 'transient',
      message: `someone changed the record in Tryton meanwhile: ${text(Array.isArray(args) ? args[0] : args)}`,
    };
  const line = firstLine(kind) || 'no reason given';
  return {
    code: 'server',
    category: 'transient',
    message: TRANSIENT.test(line)
      ? `Tryton could not run ${method} just now: ${line}`
      : `Tryton failed on ${method}: ${line}`,
  };
}

export const rpcError = (error: RpcError, method: string): LedgerlinkError =>
  new LedgerlinkError(rpcErrorData(error, method));
