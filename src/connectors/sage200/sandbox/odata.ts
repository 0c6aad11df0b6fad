/**
 * The OData-style $filter and $orderby the Sage 200 API takes, as far as the connector uses them:
 * `field op value` with eq, ne, gt, ge, lt, le; `and`, `or`, parentheses; values 'text' (a quote
 * doubled inside), numbers, true/false/null and bare ISO date-times. Anything else is refused, as the
 * API refuses a filter it cannot read.
 */
export class FilterError extends Error {}

type Value = string | number | boolean | null | { date: number };
export type Filter =
  | { op: 'and' | 'or'; left: Filter; right: Filter }
  | { op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; field: string; value: Value };

const TOKEN =
  /\s*(?:(\()|(\))|'((?:[^']|'')*)'|(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?)|(-?\d+(?:\.\d+)?)(?![\w-])|([A-Za-z_][\w.]*))/y;

function tokenize(text: string): Array<{ kind: string; v: string }> {
  const out: Array<{ kind: string; v: string }> = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new FilterError(`the filter cannot be read at "${text.slice(at, at + 20)}"`);
    at = TOKEN.lastIndex;
    if (m[1]) out.push({ kind: '(', v: '(' });
    else if (m[2]) out.push({ kind: ')', v: ')' });
    else if (m[3] !== undefined) out.push({ kind: 'str', v: m[3].replace(/''/g, "'") });
    else if (m[4]) out.push({ kind: 'date', v: m[4] });
    else if (m[5]) out.push({ kind: 'num', v: m[5] });
    else out.push({ kind: 'word', v: m[6]! });
  }
  return out;
}

export function parseFilter(text: string): Filter {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const word = (w: string) => peek()?.kind === 'word' && peek()!.v.toLowerCase() === w;
  const expr = (): Filter => {
    let left = term();
    while (word('or')) {
      i++;
      left = { op: 'or', left, right: term() };
    }
    return left;
  };
  const term = (): Filter => {
    let left = factor();
    while (word('and')) {
      i++;
      left = { op: 'and', left, right: factor() };
    }
    return left;
  };
  const factor = (): Filter => {
    const t = tokens[i++];
    if (!t) throw new FilterError('the filter ends too early');
    if (t.kind === '(') {
      const inner = expr();
      if (tokens[i++]?.kind !== ')') throw new FilterError('a parenthesis is not closed');
      return inner;
    }
    if (t.kind !== 'word') throw new FilterError(`expected a field name, not "${t.v}"`);
    const op = tokens[i++];
    if (op?.kind !== 'word' || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op.v.toLowerCase()))
      throw new FilterError(`expected an operator after ${t.v}`);
    const v = tokens[i++];
    if (!v) throw new FilterError(`expected a value after ${t.v} ${op.v}`);
    let value: Value;
    if (v.kind === 'str') value = v.v;
    else if (v.kind === 'num') value = Number(v.v);
    else if (v.kind === 'date') value = { date: Date.parse(v.v) };
    else if (v.kind === 'word' && ['true', 'false', 'null'].includes(v.v))
      value = v.v === 'null' ? null : v.v === 'true';
    else throw new FilterError(`"${v.v}" is not a value`);
    return { op: op.v.toLowerCase() as 'eq', field: t.v, value };
  };
  const f = expr();
  if (i < tokens.length) throw new FilterError(`unexpected "${tokens[i]!.v}"`);
  return f;
}

function compare(a: unknown, value: Value): number | undefined {
  if (value === null) return a === null || a === undefined ? 0 : 1;
  if (typeof value === 'object') {
    const t = typeof a === 'string' ? Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(a) ? a : `${a}Z`) : Number.NaN;
    return Number.isNaN(t) ? undefined : t - value.date;
  }
  if (typeof value === 'number') return typeof a === 'number' ? a - value : undefined;
  if (typeof value === 'boolean') return a === value ? 0 : 1;
  // Sage 200 runs on SQL Server: text compares without case.
  return typeof a === 'string' ? a.toLowerCase().localeCompare(value.toLowerCase()) : undefined;
}

export function matches(row: Record<string, unknown>, f: Filter): boolean {
  if ('field' in f) return test(row, f);
  return f.op === 'and'
    ? matches(row, f.left) && matches(row, f.right)
    : matches(row, f.left) || matches(row, f.right);
}

function test(row: Record<string, unknown>, f: Extract<Filter, { field: string }>): boolean {
  const c = compare(row[f.field], f.value);
  if (c === undefined) return f.op === 'ne';
  switch (f.op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
  }
}

/** `field [asc|desc], …` */
export function orderRows<T extends Record<string, unknown>>(rows: T[], orderby: string | undefined): T[] {
  if (!orderby) return rows;
  const keys = orderby.split(',').map((part) => {
    const [field = '', dir = 'asc'] = part.trim().split(/\s+/);
    if (!/^[A-Za-z_]\w*$/.test(field) || !/^(asc|desc)$/i.test(dir))
      throw new FilterError(`$orderby "${part.trim()}" cannot be read`);
    return { field, sign: dir.toLowerCase() === 'desc' ? -1 : 1 };
  });
  return [...rows].sort((a, b) => {
    for (const { field, sign } of keys) {
      const x = a[field] as string | number;
      const y = b[field] as string | number;
      if (x === y) continue;
      return (x < y ? -1 : 1) * sign;
    }
    return 0;
  });
}
