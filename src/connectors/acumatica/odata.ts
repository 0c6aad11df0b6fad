/** Builders for the OData $filter subset the contract-based API accepts. */

export const literal = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Acumatica wants date-times as datetimeoffset'…' literals carrying an offset. */
export const dateLiteral = (iso: string): string =>
  `datetimeoffset'${new Date(iso).toISOString().replace('Z', '+00:00')}'`;

/** The records whose field starts with the text (Acumatica compares without regard to case). */
export const startsWith = (field: string, text: string): string => `startswith(${field},${literal(text)})`;

export const anyOf = (field: string, values: readonly string[]): string =>
  values.length === 1
    ? `${field} eq ${literal(values[0]!)}`
    : `(${values.map((v) => `${field} eq ${literal(v)}`).join(' or ')})`;

export const allOf = (parts: ReadonlyArray<string | undefined>): string | undefined => {
  const p = parts.filter((x): x is string => Boolean(x));
  if (p.length === 0) return undefined;
  return p.length === 1 ? p[0] : p.map((x) => (x.startsWith('(') ? x : `(${x})`)).join(' and ');
};
