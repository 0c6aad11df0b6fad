import type { ErrorData } from '../sdk/errors.js';
import type { QbxmlStatus } from './qbxml.js';

/**
 * qbXML status codes (the qbXML reference's "Status codes" list — FACTS.md) as our errors. 0 is
 * success; 1 a query that matched nothing; 500 a query some of whose ids were not found (Warn);
 * 3100 a name already in use; 3140 an invalid reference (an item, account, customer or tax code
 * QuickBooks does not have); 3200 an edit sequence out of date; 3170–3180 a record someone has open.
 */
export const OK_CODES = new Set([0, 1, 500]);

export function statusError(
  rs: Pick<QbxmlStatus, 'statusCode' | 'statusMessage' | 'statusSeverity'>,
  what: string,
): ErrorData | undefined {
  const code = rs.statusCode;
  if (rs.statusSeverity !== 'Error' && OK_CODES.has(code)) return undefined;
  if (rs.statusSeverity !== 'Error' && code < 3000) return undefined;
  const message = `${what}: QuickBooks refused it (${code}: ${rs.statusMessage})`;
  if (code === 3100) return { code: 'duplicate', category: 'rejected', message };
  if (code === 3140 || code === 3120 || code === 3130)
    return {
      code: 'invalid_data',
      category: 'rejected',
      message: `${message} — create it in QuickBooks or fix the setting that names it`,
    };
  if (code === 3200) return { code: 'conflict', category: 'transient', message };
  if (code >= 3170 && code <= 3180)
    return {
      code: 'conflict',
      category: 'transient',
      message: `${message} — someone has the record open in QuickBooks`,
    };
  if (code === 3070) return { code: 'invalid_data', category: 'rejected', message };
  if (code >= 3000 && code < 4000) return { code: 'invalid_data', category: 'rejected', message };
  if (code === 9001 || code === -1) return { code: 'server', category: 'transient', message };
  return { code: 'invalid_data', category: 'rejected', message };
}
