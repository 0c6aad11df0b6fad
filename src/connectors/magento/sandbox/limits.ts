import { type ErrorBody, fail } from './errors.js';

/**
 * Magento's Web API input limits (Stores › Configuration › Services › Magento Web API › Web Api
 * Input Limits, off by default, 2.4.3+). When on, a search without a page size gets the default
 * one, a larger page size than the maximum is refused, and so is a request carrying more entities
 * in one list than the list limit.
 */
export interface InputLimits {
  /** "Input List Limit"; Magento's default 20. */
  listLimit?: number;
  /** "Maximum Page Size"; Magento's default 300. */
  maximumPageSize?: number;
  /** "Default Page Size"; Magento's default 20. */
  defaultPageSize?: number;
}

/** The page size Magento searches with, or its refusal. */
export function pageSizeUnder(
  limits: InputLimits | undefined,
  asked: number | undefined,
): { pageSize: number | undefined } | { refusal: ErrorBody } {
  if (!limits) return { pageSize: asked };
  const max = limits.maximumPageSize ?? 300;
  if (asked !== undefined && asked > max)
    return { refusal: fail('Maximum SearchCriteria pageSize is %max', { max: String(max) }) };
  return { pageSize: asked ?? limits.defaultPageSize ?? 20 };
}

/** Magento's refusal of a list longer than the list limit; undefined when it passes. */
export function listRefusal(
  limits: InputLimits | undefined,
  type: string,
  length: number,
): ErrorBody | undefined {
  const max = limits ? (limits.listLimit ?? 20) : Number.POSITIVE_INFINITY;
  return length > max ? fail('Maximum items of type "%type" is %max', { type, max: String(max) }) : undefined;
}
