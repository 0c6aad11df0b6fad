import { randomUUID } from 'node:crypto';

/** A string literal in an OData $filter: single quotes, a quote doubled. */
export const quote = (v: string): string => `'${v.replace(/'/g, "''")}'`;

/**
 * `startswith(column,'text')` matching the text literally: Dataverse runs it as a SQL LIKE, where %,
 * _ and [ are wildcards; each is enclosed in brackets to stand for itself (wildcard-characters page).
 */
export const startsWith = (column: string, text: string): string =>
  `startswith(${column},${quote(text.replace(/[%_[]/g, '[$&]'))})`;

/** A date-time literal: OData v4 takes it unquoted, in UTC. */
export const dateLiteral = (iso: string): string => new Date(iso).toISOString().replace(/\.000Z$/, 'Z');

/**
 * Many values of one column in one condition: Dataverse's In query function, which keeps the URL
 * shorter than an `or` of comparisons.
 */
export const inValues = (column: string, values: readonly string[]): string =>
  `Microsoft.Dynamics.CRM.In(PropertyName=${quote(column)},PropertyValues=[${values.map(quote).join(',')}])`;

export const allOf = (parts: ReadonlyArray<string | undefined>): string | undefined => {
  const kept = parts.filter((p): p is string => !!p);
  return kept.length ? kept.map((p) => (kept.length > 1 ? `(${p})` : p)).join(' and ') : undefined;
};

/**
 * Splits values into chunks whose In() condition stays under `maxChars` once URL-encoded: Dataverse
 * answers 414 past about 32 KB of URL, and proxies often stop at 8 KB, so we keep each filter small.
 */
export function chunkForUrl(values: readonly string[], maxChars = 6000, maxCount = 250): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let size = 0;
  for (const v of values) {
    const len = encodeURIComponent(quote(v)).length + 3;
    if (cur.length && (size + len > maxChars || cur.length >= maxCount)) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(v);
    size += len;
  }
  if (cur.length) out.push(cur);
  return out;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (v: string): boolean => GUID.test(v);

/** The id in an OData-EntityId header: `https://org/api/data/v9.2/accounts(00000000-…)`. */
export function idFromEntityUrl(url: string | undefined): string | undefined {
  const m = url ? /\(([0-9a-fA-F-]{36})\)\s*$/.exec(url) : null;
  return m?.[1]?.toLowerCase();
}

/** One operation of a $batch change set, with a path relative to the Web API root. */
export interface BatchOperation {
  method: 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the Web API root (`accounts`, `accounts(<id>)`). */
  path: string;
  /**
   * The body; a string "$group:N" anywhere in it stands for the record the group's N-th operation
   * created (0-based), and becomes that operation's Content-ID reference ("$3") in the change set.
   */
  body?: unknown;
  headers?: Record<string, string>;
}

/** The answer to one operation. */
export interface BatchResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  contentId?: string;
}

/**
 * The multipart/mixed body of a $batch in which each group of operations is its own change set: a
 * change set is all-or-nothing, so one record's operations succeed or fail together while the other
 * records of the page are unaffected.
 */
export function buildBatch(
  apiRoot: string,
  groups: ReadonlyArray<readonly BatchOperation[]>,
): { body: string; contentType: string } {
  const batch = `batch_${randomUUID()}`;
  const lines: string[] = [];
  let contentId = 0;
  for (const group of groups) {
    const cs = `changeset_${randomUUID()}`;
    lines.push(`--${batch}`, `Content-Type: multipart/mixed; boundary=${cs}`, '');
    const ids: number[] = [];
    for (const op of group) {
      contentId++;
      ids.push(contentId);
      const target = `${apiRoot}${op.path}`;
      lines.push(
        `--${cs}`,
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        `Content-ID: ${contentId}`,
        '',
        `${op.method} ${target} HTTP/1.1`,
        'Content-Type: application/json; type=entry',
      );
      for (const [k, v] of Object.entries(op.headers ?? {})) lines.push(`${k}: ${v}`);
      const json =
        op.body === undefined
          ? ''
          : JSON.stringify(op.body).replace(
              /"\$group:(\d+)"/g,
              (_, n: string) => `"$${ids[Number(n)] ?? 0}"`,
            );
      lines.push('', json);
    }
    lines.push(`--${cs}--`);
  }
  lines.push(`--${batch}--`, '');
  return { body: lines.join('\r\n'), contentType: `multipart/mixed; boundary=${batch}` };
}

/** The boundary of a multipart content type. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = contentType ? /boundary=("?)([^";]+)\1/i.exec(contentType) : null;
  return m?.[2];
}

interface Part {
  headers: Record<string, string>;
  body: string;
}

/** The parts of a multipart body (headers lower-cased). */
export function splitMultipart(body: string, boundary: string): Part[] {
  const parts: Part[] = [];
  const chunks = body.split(`--${boundary}`);
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    const text = chunk.replace(/^\r?\n/, '');
    const sep = /\r?\n\r?\n/.exec(text);
    const head = sep ? text.slice(0, sep.index) : text;
    const rest = sep ? text.slice(sep.index + sep[0].length) : '';
    parts.push({ headers: headerMap(head), body: rest.replace(/\r?\n$/, '') });
  }
  return parts;
}

function headerMap(head: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

/** An application/http part: its status line (or request line), headers and body. */
export function parseHttpPart(text: string): { line: string; headers: Record<string, string>; body: string } {
  const sep = /\r?\n\r?\n/.exec(text);
  const head = sep ? text.slice(0, sep.index) : text;
  const body = sep ? text.slice(sep.index + sep[0].length) : '';
  const [line = '', ...rest] = head.split(/\r?\n/);
  return { line, headers: headerMap(rest.join('\n')), body: body.trim() };
}

function toResponse(p: Part): BatchResponse {
  const http = parseHttpPart(p.body);
  const status = Number(/HTTP\/1\.1 (\d{3})/.exec(http.line)?.[1] ?? 0);
  let parsed: unknown = http.body || undefined;
  if (http.body) {
    try {
      parsed = JSON.parse(http.body);
    } catch {
      parsed = http.body;
    }
  }
  return {
    status,
    headers: http.headers,
    body: parsed,
    ...(p.headers['content-id'] ? { contentId: p.headers['content-id'] } : {}),
  };
}

/**
 * The answers of a $batch, one list per top-level part, in the order the change sets were sent: a
 * change set that succeeded answers every operation; one that failed answers a single error (its
 * other operations were rolled back). Change sets after a failure are absent unless the request
 * asked Prefer: odata.continue-on-error.
 */
export function parseBatchResponse(body: string, contentType: string | undefined): BatchResponse[][] {
  const boundary = boundaryOf(contentType) ?? /^--(batchresponse_[^\r\n]+)/.exec(body)?.[1];
  if (!boundary) throw new Error('the $batch answer is not multipart');
  return splitMultipart(body, boundary).map((p) => {
    const inner = boundaryOf(p.headers['content-type']);
    if (inner && /multipart\/mixed/i.test(p.headers['content-type'] ?? ''))
      return splitMultipart(p.body, inner).map(toResponse);
    return [toResponse(p)];
  });
}
