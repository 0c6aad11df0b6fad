/** Magento's error body (error-response in the published spec). */
export interface MagentoErrorBody {
  message?: string;
  /**
   * Named parameters as an object ({"fieldName": "email"}), positional ones as an array of strings
   * (["price"]); the published spec describes an array of {resources, fieldName, fieldValue}.
   */
  parameters?: Record<string, unknown> | unknown[];
  errors?: Array<{ message?: string; parameters?: Record<string, unknown> | unknown[] }>;
}

/**
 * Fills Magento's placeholders the way its phrase renderer does: a value under key 0 fills "%1"
 * (key + 1), a named value fills "%name". Parameters come as an array of strings (positional), an
 * object (named), or the spec's array of {resources, fieldName, fieldValue} objects. A placeholder
 * with no value stays as it is.
 */
export function fillPlaceholders(message: string, params: MagentoErrorBody['parameters']): string {
  if (!params || typeof params !== 'object') return message;
  const values = new Map<string, unknown>();
  const put = (key: string, v: unknown) => values.set(/^\d+$/.test(key) ? String(Number(key) + 1) : key, v);
  if (Array.isArray(params)) {
    params.forEach((p, i) => {
      if (p && typeof p === 'object') for (const [k, v] of Object.entries(p)) values.set(k, v);
      else put(String(i), p);
    });
  } else for (const [k, v] of Object.entries(params)) put(k, v);
  const text = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  return message.replace(/%(\d+|[A-Za-z_]\w*)/g, (m, key: string) =>
    values.has(key) ? text(values.get(key)) : m,
  );
}

/** The human message of an error answer: the main message and any listed errors, placeholders filled. */
export function magentoMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object')
    return typeof body === 'string' && body ? body.slice(0, 500) : undefined;
  const b = body as MagentoErrorBody;
  const main = typeof b.message === 'string' ? fillPlaceholders(b.message, b.parameters) : undefined;
  const more = (Array.isArray(b.errors) ? b.errors : [])
    .map((e) => (typeof e?.message === 'string' ? fillPlaceholders(e.message, e.parameters) : ''))
    .filter((m) => m && m !== main);
  return [main, ...more].filter(Boolean).join('; ') || undefined;
}
