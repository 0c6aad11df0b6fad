import { loadSpec, type SpecValidator } from '../../sdk/conformance.js';

/**
 * Paths the sandbox serves that the published spec does not describe: the OAuth endpoints (the spec
 * names them only in securitySchemes; RFC 6749 is their contract) and api-token.do (FACTS.md ⚠: known
 * from public clients, not in the spec). Every other request and answer is judged against the spec.
 */
const UNPUBLISHED = new Set(['/oauth/token', '/oauth/authorize', '/api/api-token.do']);

/**
 * `filter.number.val[0]`, `filter.number.val[1]` … are the indexed form of the spec's array parameter
 * `filter.number.val` (its own description: "gunakan index [n]"); the vendor's words win over the
 * spec's bare parameter name, so indexed keys are judged as that parameter.
 */
function unindex(query: Record<string, string | string[] | undefined> | undefined) {
  if (!query) return query;
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(query)) {
    const name = k.replace(/\[\d+\]$/, '');
    const prev = out[name];
    const vals = Array.isArray(v) ? v : v === undefined ? [] : [v];
    out[name] = prev === undefined ? (vals.length === 1 ? vals[0] : vals) : [...[prev].flat(), ...vals];
  }
  return out;
}

let validator: SpecValidator | undefined;

export function accurateValidator(): SpecValidator {
  if (validator) return validator;
  const spec = loadSpec('accurate/openapi.json');
  validator = {
    hasOperation: (m, p) => UNPUBLISHED.has(p) || spec.hasOperation(m, p),
    checkRequest: (req) =>
      UNPUBLISHED.has(req.path) ? [] : spec.checkRequest({ ...req, query: unindex(req.query) ?? {} }),
    checkResponse: (req, status, body, o) =>
      UNPUBLISHED.has(req.path) ? [] : spec.checkResponse(req, status, body, o),
  };
  return validator;
}
