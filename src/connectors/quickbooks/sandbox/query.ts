/**
 * The subset of QuickBooks' query language the connector uses: `select * | count(*) from <Entity>
 * [where <field> <op> <value> [and …]] [orderby <field> [asc|desc]] [startposition n] [maxresults n]`,
 * with =, <, >, <=, >=, in (…) and like; strings in single quotes with \' for an apostrophe. As in
 * QuickBooks, keywords are case-insensitive and a query of customers or items that does not mention
 * Active returns active ones only.
 */
export interface Condition {
  field: string;
  op: '=' | '<' | '>' | '<=' | '>=' | 'in' | 'like';
  values: Array<string | number | boolean>;
}

export interface ParsedQuery {
  count: boolean;
  entity: string;
  where: Condition[];
  orderBy?: { field: string; desc: boolean };
  startPosition: number;
  maxResults: number;
}

export class QueryError extends Error {}

type Token = { kind: 'word' | 'string' | 'number' | 'op' | 'punct'; text: string; value?: string | number };

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= q.length) throw new QueryError('a quoted value is not closed');
        const ch = q[i]!;
        if (ch === '\\' && i + 1 < q.length) {
          s += q[i + 1];
          i += 2;
          continue;
        }
        if (ch === "'") {
          i++;
          break;
        }
        s += ch;
        i++;
      }
      out.push({ kind: 'string', text: s, value: s });
      continue;
    }
    const op = /^(<=|>=|=|<|>)/.exec(q.slice(i));
    if (op) {
      out.push({ kind: 'op', text: op[1]! });
      i += op[1]!.length;
      continue;
    }
    if ('(),*'.includes(c)) {
      out.push({ kind: 'punct', text: c });
      i++;
      continue;
    }
    const num = /^-?\d+(\.\d+)?(?![\w.])/.exec(q.slice(i));
    if (num) {
      out.push({ kind: 'number', text: num[0], value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][\w.]*/.exec(q.slice(i));
    if (!word) throw new QueryError(`unexpected "${c}"`);
    out.push({ kind: 'word', text: word[0] });
    i += word[0].length;
  }
  return out;
}

export function parseQuery(q: string): ParsedQuery {
  const t = tokenize(q);
  let p = 0;
  const peek = () => t[p];
  const isWord = (w: string) => peek()?.kind === 'word' && peek()!.text.toLowerCase() === w;
  const expectWord = (w: string) => {
    if (!isWord(w)) throw new QueryError(`expected ${w.toUpperCase()} near "${peek()?.text ?? 'the end'}"`);
    p++;
  };
  expectWord('select');
  let count = false;
  if (peek()?.text === '*') p++;
  else if (isWord('count')) {
    p++;
    for (const ch of ['(', '*', ')']) {
      if (peek()?.text !== ch) throw new QueryError('expected count(*)');
      p++;
    }
    count = true;
  } else throw new QueryError('only select * and select count(*) are supported');
  expectWord('from');
  const entity = peek()?.text;
  if (!entity || peek()!.kind !== 'word') throw new QueryError('expected an entity after FROM');
  p++;
  const where: Condition[] = [];
  if (isWord('where')) {
    p++;
    for (;;) {
      const field = peek();
      if (field?.kind !== 'word') throw new QueryError('expected a field name');
      p++;
      const opTok = peek();
      let op: Condition['op'];
      if (opTok?.kind === 'op') op = opTok.text as Condition['op'];
      else if (isWord('in')) op = 'in';
      else if (isWord('like')) op = 'like';
      else throw new QueryError(`expected an operator after ${field.text}`);
      p++;
      const values: Condition['values'] = [];
      const value = (): string | number | boolean => {
        const v = peek();
        if (!v) throw new QueryError('expected a value');
        p++;
        if (v.kind === 'string' || v.kind === 'number') return v.value!;
        if (v.kind === 'word' && /^(true|false)$/i.test(v.text)) return v.text.toLowerCase() === 'true';
        throw new QueryError(`"${v.text}" is not a value (strings go in single quotes)`);
      };
      if (op === 'in') {
        if (peek()?.text !== '(') throw new QueryError('expected ( after IN');
        p++;
        for (;;) {
          values.push(value());
          if (peek()?.text === ',') {
            p++;
            continue;
          }
          if (peek()?.text === ')') {
            p++;
            break;
          }
          throw new QueryError('expected , or ) in the IN list');
        }
      } else values.push(value());
      where.push({ field: field.text, op, values });
      if (isWord('and')) {
        p++;
        continue;
      }
      if (isWord('or')) throw new QueryError('OR is not supported by the QuickBooks query language');
      break;
    }
  }
  let orderBy: ParsedQuery['orderBy'];
  if (isWord('orderby')) {
    p++;
    const f = peek();
    if (f?.kind !== 'word') throw new QueryError('expected a field after ORDERBY');
    p++;
    let desc = false;
    if (isWord('desc')) {
      desc = true;
      p++;
    } else if (isWord('asc')) p++;
    orderBy = { field: f.text, desc };
  }
  let startPosition = 1;
  let maxResults = 100;
  for (;;) {
    if (isWord('startposition')) {
      p++;
      startPosition = Number(peek()?.value ?? Number.NaN);
      p++;
    } else if (isWord('maxresults')) {
      p++;
      maxResults = Number(peek()?.value ?? Number.NaN);
      p++;
    } else break;
  }
  if (p < t.length) throw new QueryError(`unexpected "${t[p]!.text}"`);
  if (!Number.isInteger(startPosition) || startPosition < 1)
    throw new QueryError('STARTPOSITION must be 1 or more');
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000)
    throw new QueryError('MAXRESULTS must be between 1 and 1000');
  return { count, entity, where, ...(orderBy ? { orderBy } : {}), startPosition, maxResults };
}

/** A record's value of a (dotted) field; a reference compares by its value. */
function fieldValue(rec: Record<string, unknown>, field: string): unknown {
  let cur: unknown = rec;
  for (const part of field.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const o = cur as Record<string, unknown>;
    // QuickBooks accepts "Metadata" for "MetaData" in queries.
    const key = Object.keys(o).find((k) => k.toLowerCase() === part.toLowerCase());
    cur = key === undefined ? undefined : o[key];
  }
  if (cur && typeof cur === 'object' && 'value' in (cur as object)) return (cur as { value: unknown }).value;
  return cur;
}

const DATE = /^\d{4}-\d{2}-\d{2}/;

function compare(a: unknown, b: string | number | boolean): number {
  if (typeof a === 'string' && typeof b === 'string' && DATE.test(a) && DATE.test(b)) {
    return Date.parse(a) - Date.parse(b);
  }
  if (typeof a === 'number' || typeof b === 'number') return Number(a) - Number(b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b) ? 0 : 1;
  return String(a).localeCompare(String(b));
}

export function matches(rec: Record<string, unknown>, where: readonly Condition[]): boolean {
  return where.every((c) => {
    const v = fieldValue(rec, c.field);
    if (v === undefined) return false;
    switch (c.op) {
      case '=':
        return compare(v, c.values[0]!) === 0;
      case '<':
        return compare(v, c.values[0]!) < 0;
      case '>':
        return compare(v, c.values[0]!) > 0;
      case '<=':
        return compare(v, c.values[0]!) <= 0;
      case '>=':
        return compare(v, c.values[0]!) >= 0;
      case 'in':
        return c.values.some((x) => compare(v, x) === 0);
      case 'like': {
        const pattern = String(c.values[0])
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%/g, '.*');
        return new RegExp(`^${pattern}$`, 'i').test(String(v));
      }
    }
    return false;
  });
}

export function orderRows<T extends Record<string, unknown>>(
  rows: T[],
  orderBy: ParsedQuery['orderBy'],
): T[] {
  if (!orderBy) return rows;
  const sign = orderBy.desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    const va = fieldValue(a, orderBy.field);
    const vb = fieldValue(b, orderBy.field);
    return sign * compare(va, (vb ?? '') as string);
  });
}
