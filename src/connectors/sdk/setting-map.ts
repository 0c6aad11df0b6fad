/**
 * A map typed into a setting as JSON ({"KMG": "Outlet Kemang"}) or as `a=b` pairs separated by
 * commas or new lines; values are data, never evaluated.
 */
export function readMap(v: unknown, name: string): Record<string, string> {
  if (v === undefined || v === null || v === '') return {};
  if (typeof v === 'object' && !Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
    return out;
  }
  const text = String(v).trim();
  if (text.startsWith('{')) {
    try {
      return readMap(JSON.parse(text) as unknown, name);
    } catch {
      throw new Error(`${name} is not a JSON object of names`);
    }
  }
  const out: Record<string, string> = {};
  for (const pair of text.split(/[,\n]/)) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}
