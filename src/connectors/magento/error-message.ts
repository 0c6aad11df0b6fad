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

/**
 * What Magento 2.4.7+ accepts in a person's name (Magento\Customer\Model\Validator\Name): letters,
 * marks, digits, spaces and , - _ . ' ’ ` & — up to 255 characters.
 */
const NAME_CHARACTER = /[\p{L}\p{M}\d\s,\-_.'’`&]/u;
const NAME_MAX = 255;

/**
 * Magento's "First Name is not valid!" names neither the character nor the limit: say which, from
 * the names that were sent (the customer's and those of its addresses).
 */
export function explainNameRefusal(
  message: string,
  sent: { firstname?: unknown; lastname?: unknown; addresses?: unknown } | undefined,
): string {
  const m = /\b(First|Last) Name is not valid!/.exec(message);
  if (!m || !sent) return message;
  const field = m[1] === 'First' ? 'firstname' : 'lastname';
  const names = [
    sent[field],
    ...(Array.isArray(sent.addresses)
      ? sent.addresses.map((a) => (a as Record<string, unknown>)?.[field])
      : []),
  ].filter((n): n is string => typeof n === 'string');
  for (const name of names) {
    const bad = [...new Set([...name].filter((c) => !NAME_CHARACTER.test(c)))];
    const problems = [
      ...(bad.length
        ? [
            `${bad.map((c) => JSON.stringify(c)).join(', ')}, which Magento does not take in a name (it takes letters, digits, spaces and , - _ . ' ’ \` &)`,
          ]
        : []),
      ...([...name].length > NAME_MAX
        ? [`${[...name].length} characters, more than the ${NAME_MAX} Magento takes`]
        : []),
      ...(name.trim() === '' ? ['nothing but spaces'] : []),
    ];
    if (problems.length)
      return `${message} (the ${m[1]!.toLowerCase()} name ${JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name)} has ${problems.join(' and ')})`;
  }
  return message;
}
