import { type ErrorCode, type ErrorData, LedgerlinkError } from '../sdk/errors.js';
import type { VendureErrorResult } from './types.js';

/** One entry of a GraphQL answer's `errors` array. */
export interface GraphQLError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; [other: string]: unknown };
}

/** What Vendure's error codes (extensions.code) mean for a sync. */
const CODES: Record<string, Pick<ErrorData, 'code' | 'category'>> = {
  FORBIDDEN: { code: 'auth', category: 'config' },
  UNAUTHORIZED: { code: 'auth', category: 'config' },
  CHANNEL_NOT_FOUND: { code: 'config', category: 'config' },
  // Our document does not fit this server's schema: a missing custom field, another major version.
  GRAPHQL_VALIDATION_FAILED: { code: 'config', category: 'config' },
  GRAPHQL_PARSE_FAILED: { code: 'config', category: 'config' },
  ENTITY_NOT_FOUND: { code: 'not_found', category: 'rejected' },
  USER_INPUT_ERROR: { code: 'invalid_data', category: 'rejected' },
  BAD_USER_INPUT: { code: 'invalid_data', category: 'rejected' },
  ILLEGAL_OPERATION: { code: 'conflict', category: 'rejected' },
  INTERNAL_SERVER_ERROR: { code: 'server', category: 'transient' },
};

export const isForbidden = (errors: readonly GraphQLError[]): boolean =>
  errors.some((e) => e.extensions?.code === 'FORBIDDEN');

/** Vendure's own words for an answer's errors, one after the other. */
export function graphqlWords(errors: readonly GraphQLError[]): string {
  return [...new Set(errors.map((e) => e.message).filter(Boolean))].join('; ');
}

/** The message of an error body (for answers with an HTTP error status). */
export function vendureMessage(body: unknown): string | undefined {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(errors) && errors.length) return graphqlWords(errors as GraphQLError[]);
  return typeof body === 'string' && body ? body.slice(0, 500) : undefined;
}

/** The kind of failure an answer's errors are; an error without a code is Vendure failing (a bug or an outage). */
export function classifyErrors(errors: readonly GraphQLError[]): Pick<ErrorData, 'code' | 'category'> {
  for (const e of errors) {
    const known = e.extensions?.code ? CODES[e.extensions.code] : undefined;
    if (known) return known;
  }
  return errors.some((e) => e.extensions?.code)
    ? { code: 'invalid_data', category: 'rejected' }
    : { code: 'server', category: 'transient' };
}

/** A GraphQL errors array as an error naming what was being done. */
export function graphqlError(errors: readonly GraphQLError[], what: string): LedgerlinkError {
  const kind = classifyErrors(errors);
  const hint =
    kind.code === 'config' && /custom ?fields?|erpNumber|erpCustomerNumber/i.test(graphqlWords(errors))
      ? ' — the shop needs the custom fields Order.erpNumber and Customer.erpCustomerNumber (string)'
      : '';
  return new LedgerlinkError({
    ...kind,
    message: `${what}: Vendure answered: ${graphqlWords(errors)}${hint}`,
  });
}

/** Whether a union answer is one of Vendure's ErrorResults rather than the record asked for. */
export function isErrorResult(value: unknown): value is VendureErrorResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { errorCode?: unknown }).errorCode === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

function errorResultCode(errorCode: string): ErrorCode {
  if (errorCode === 'EMAIL_ADDRESS_CONFLICT_ERROR') return 'duplicate';
  if (/STATE|TRANSITION|ALREADY|INSUFFICIENT_STOCK/.test(errorCode)) return 'conflict';
  if (errorCode === 'INVALID_CREDENTIALS_ERROR' || errorCode === 'NATIVE_AUTH_STRATEGY_ERROR') return 'auth';
  return 'invalid_data';
}

/**
 * The words of an ErrorResult: its message, with the state machine's or handler's reason when it
 * has one (some results carry an untranslated key, "errorResult.FULFILLMENT_STATE_TRANSITION_ERROR",
 * as their message and the real reason beside it).
 */
export function errorResultWords(r: VendureErrorResult): string {
  const reason = r.transitionError || r.fulfillmentHandlerError;
  const stock =
    r.productVariantName !== undefined ? ` (${r.productVariantName}: ${r.stockOnHand ?? 0} on hand)` : '';
  if (r.message.startsWith('errorResult.') && reason) return `${reason}${stock}`;
  return `${r.message}${reason ? ` (${reason})` : ''}${stock}`;
}

/** An ErrorResult as the refusal of one record: the target's own words, an error code to branch on. */
export function errorResultError(r: VendureErrorResult, what: string): LedgerlinkError {
  const code = errorResultCode(r.errorCode);
  return new LedgerlinkError({
    code,
    category: code === 'auth' ? 'config' : 'rejected',
    message: `${what}: Vendure refused it: ${errorResultWords(r)} [${r.errorCode}]`,
  });
}

/** The record a union answer carries, or the refusal as an error. */
export function unwrap<T>(value: T | VendureErrorResult, what: string): T {
  if (isErrorResult(value)) throw errorResultError(value, what);
  return value as T;
}
