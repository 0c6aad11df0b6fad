import type { ExchangeShape, SpecValidator } from '../../sdk/conformance.js';

/**
 * Fits two features of the contract-based API that the published spec cannot express to its
 * operations, so that conformance checks them instead of calling them undocumented:
 * - a record with several key fields is addressed by its keys as path segments
 *   (GET /SalesOrder/SO/SO000001), which the spec writes as one `{ids}` parameter;
 * - a long-running action answers 202 with a Location to poll; that status URL answers with the
 *   action's own documented responses (202 while running, 204 when done, an HttpError if it failed).
 */
export function contractBasedValidator(spec: SpecValidator): SpecValidator {
  const statusOf = (req: ExchangeShape): ExchangeShape | undefined => {
    const seg = req.path.split('/').filter(Boolean);
    if (req.method.toUpperCase() !== 'GET' || seg.length !== 4 || seg[2] !== 'status') return undefined;
    return { method: 'POST', path: `/${seg[0]}/${seg[1]}` };
  };
  const byKeys = (req: ExchangeShape): ExchangeShape => {
    const seg = req.path.split('/').filter(Boolean);
    const method = req.method.toUpperCase();
    if ((method !== 'GET' && method !== 'DELETE') || seg.length < 3 || seg[0]?.startsWith('$')) return req;
    return { ...req, path: `/${seg[0]}/${seg.slice(1).join('%2F')}` };
  };
  return {
    hasOperation: (method, path) => {
      const status = statusOf({ method, path });
      return status
        ? spec.hasOperation(status.method, status.path)
        : spec.hasOperation(method, byKeys({ method, path }).path);
    },
    checkRequest(req) {
      const status = statusOf(req);
      if (!status) return spec.checkRequest(byKeys(req));
      return spec.hasOperation(status.method, status.path)
        ? []
        : [`GET ${req.path} is not the status URL of an action of the published API`];
    },
    checkResponse(req, status, body, opts) {
      const action = statusOf(req);
      return spec.checkResponse(action ?? byKeys(req), status, body, opts);
    },
  };
}
