/**
 * Parser and evaluator for the $filter subset the contract-based API accepts and Ledgerlink uses:
 * comparisons (eq ne gt ge lt le) on top-level fields and the string functions startswith(Field,
 * 'text') / endswith (optionally compared with true or false), joined by and / or / not and
 * parentheses; literals are strings ('O''Brien'), datetimeoffset'…', numbers, true / false and null.
 */
export type FilterNode =
  | { op: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { op: 'not'; inner: FilterNode }
  | { op: 'cmp'; cmp: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; field: string; value: FilterValue }
  | { op: 'fn'; fn: 'startswith' | 'endswith'; field: string; text: string };

export type FilterValue =
  | { kind: 'string'; v: string }
  | { kind: 'date'; v: string; t: number }
  | { kind: 'number'; v: number }
  | { kind: 'bool'; v: boolean }
  | { kind: 'null' };

export class FilterSyntaxError extends Error {}

const TOKEN =
  /\s*(datetimeoffset'[^']*'|datetime'[^']*'|'(?:[^']|'')*'|\(|\)|,|[A-Za-z_][\w/]*|-?\d+(?:\.\d+)?)/y;

function tokenize(s: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < s.length) {
    if (/^\s*$/.test(s.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(s);
    if (!m) throw new FilterSyntaxError(`unexpected text at position ${pos}: "${s.slice(pos, pos + 20)}"`);
    out.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  return out;
}

export function parseFilter(text: string): FilterNode {
  const t = tokenize(text);
  let i = 0;
  const peek = () => t[i];
  const next = () => {
    const v = t[i++];
    if (v === undefined) throw new FilterSyntaxError('the expression ends too early');
    return v;
  };
  const literal = (tok: string): FilterValue => {
    if (tok.startsWith('datetimeoffset') || tok.startsWith('datetime')) {
      const v = tok.slice(tok.indexOf("'") + 1, -1);
      const t = Date.parse(v);
      if (Number.isNaN(t)) throw new FilterSyntaxError(`"${v}" is not a date-time`);
      return { kind: 'date', v, t };
    }
    if (tok.startsWith("'")) return { kind: 'string', v: tok.slice(1, -1).replaceAll("''", "'") };
    if (tok === 'true' || tok === 'false') return { kind: 'bool', v: tok === 'true' };
    if (tok === 'null') return { kind: 'null' };
    if (/^-?\d/.test(tok)) return { kind: 'number', v: Number(tok) };
    throw new FilterSyntaxError(`"${tok}" is not a value`);
  };
  const primary = (): FilterNode => {
    const tok = next();
    if (tok === '(') {
      const e = or();
      if (next() !== ')') throw new FilterSyntaxError('a parenthesis is not closed');
      return e;
    }
    if (tok === 'not') return { op: 'not', inner: primary() };
    if ((tok === 'startswith' || tok === 'endswith') && peek() === '(') {
      i++;
      const field = next();
      if (next() !== ',') throw new FilterSyntaxError(`${tok} takes a field and a string`);
      const text = literal(next());
      if (text.kind !== 'string') throw new FilterSyntaxError(`${tok} compares with a string`);
      if (next() !== ')') throw new FilterSyntaxError('a parenthesis is not closed');
      const node: FilterNode = { op: 'fn', fn: tok, field, text: text.v };
      if (peek() !== 'eq' && peek() !== 'ne') return node;
      const negate = next() === 'ne';
      const flag = literal(next());
      if (flag.kind !== 'bool') throw new FilterSyntaxError(`${tok}(…) compares with true or false`);
      return flag.v !== negate ? node : { op: 'not', inner: node };
    }
    const cmp = next();
    if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(cmp))
      throw new FilterSyntaxError(`"${cmp}" is not a comparison operator`);
    return { op: 'cmp', cmp: cmp as 'eq', field: tok, value: literal(next()) };
  };
  const and = (): FilterNode => {
    let left = primary();
    while (peek() === 'and') {
      i++;
      left = { op: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): FilterNode => {
    let left = and();
    while (peek() === 'or') {
      i++;
      left = { op: 'or', left, right: and() };
    }
    return left;
  };
  const tree = or();
  if (i !== t.length) throw new FilterSyntaxError(`unexpected "${t[i]}"`);
  return tree;
}

function compare(actual: unknown, value: FilterValue): number | undefined {
  if (value.kind === 'null') return actual === undefined || actual === null ? 0 : 1;
  if (actual === undefined || actual === null) return undefined;
  if (value.kind === 'date') return Date.parse(String(actual)) - value.t;
  if (value.kind === 'number') return Number(actual) - value.v;
  if (value.kind === 'bool') return actual === value.v ? 0 : 1;
  // Acumatica compares strings without regard to case.
  return String(actual).toLowerCase().localeCompare(value.v.toLowerCase());
}

/**
 * `eq` / `ne` on text: equal when the case-blind texts are, without collating (a filter of keys,
 * `CustomerID eq 'A' or CustomerID eq 'B'`, compares every record with each key; collating them was
 * most of this sandbox's time under load).
 */
function sameText(actual: unknown, value: FilterValue): boolean | undefined {
  if (value.kind !== 'string' || actual === undefined || actual === null) return undefined;
  return String(actual).toLowerCase() === value.v.toLowerCase();
}

export function matches(node: FilterNode, record: Record<string, unknown>): boolean {
  switch (node.op) {
    case 'and':
      return matches(node.left, record) && matches(node.right, record);
    case 'or':
      return matches(node.left, record) || matches(node.right, record);
    case 'not':
      return !matches(node.inner, record);
    case 'fn': {
      const actual = (record[node.field] as { value?: unknown } | undefined)?.value;
      if (typeof actual !== 'string') return false;
      // Case-blind, as Acumatica compares strings.
      const [a, t] = [actual.toLowerCase(), node.text.toLowerCase()];
      return node.fn === 'startswith' ? a.startsWith(t) : a.endsWith(t);
    }
    default: {
      const field = record[node.field] as { value?: unknown } | undefined;
      if (node.cmp === 'eq' || node.cmp === 'ne') {
        const same = sameText(field?.value, node.value);
        if (same !== undefined) return same === (node.cmp === 'eq');
      }
      const c = compare(field?.value, node.value);
      if (c === undefined) return node.cmp === 'ne';
      switch (node.cmp) {
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
        default:
          return c <= 0;
      }
    }
  }
}
