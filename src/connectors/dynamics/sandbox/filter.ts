import { syntax, unknownProperty } from './errors.js';
import type { Table } from './schema.js';

export type Row = Record<string, unknown>;
type Value = string | number | boolean | null;
export type Predicate = (row: Row) => boolean;

/**
 * The $filter forms the sandbox understands, as Dataverse reads them: comparisons (eq ne gt ge lt le)
 * of a column with a literal (string, number, true/false, null, GUID, date-time), and/or/not,
 * parentheses, contains/startswith, and Microsoft.Dynamics.CRM.In(PropertyName=…,PropertyValues=[…]).
 */
const TOKEN =
  /\s*(?:(\()|(\))|(,)|(\[)|(\])|(=)|('(?:[^']|'')*')|([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![\w-])|(\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2}))|(-?\d+(?:\.\d+)?)(?![\w])|([A-Za-z_][\w.]*))/y;

interface Token {
  kind: 'punct' | 'string' | 'guid' | 'date' | 'number' | 'word';
  text: string;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw syntax(`Syntax error at position ${pos} in '${src}'.`);
    pos = TOKEN.lastIndex;
    const [, lp, rp, comma, lb, rb, eq, str, guid, date, num, word] = m;
    const p = lp ?? rp ?? comma ?? lb ?? rb ?? eq;
    if (p) out.push({ kind: 'punct', text: p });
    else if (str !== undefined) out.push({ kind: 'string', text: str.slice(1, -1).replace(/''/g, "'") });
    else if (guid) out.push({ kind: 'guid', text: guid.toLowerCase() });
    else if (date) out.push({ kind: 'date', text: date });
    else if (num) out.push({ kind: 'number', text: num });
    else if (word) out.push({ kind: 'word', text: word });
  }
  return out;
}

/** A column as the filter names it: the column itself, or a lookup by its name (productid → _productid_value). */
export function resolveColumn(t: Table, name: string): string {
  if (t.columns[name]) return name;
  const lookup = t.lookups[name];
  if (lookup) return lookup.column;
  if (t.columns[`_${name}_value`]) return `_${name}_value`;
  throw unknownProperty(t.logical, name);
}

const compare = (a: unknown, b: Value): number | undefined => {
  if (a === null || a === undefined || b === null) return undefined;
  if (typeof b === 'number') return Number(a) - b;
  if (typeof b === 'boolean') return a === b ? 0 : 1;
  const da = Date.parse(String(a));
  const db = Date.parse(b);
  if (/^\d{4}-\d{2}-\d{2}T/.test(b) && !Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  const x = String(a).toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

export function parseFilter(src: string, t: Table): Predicate {
  const tokens = tokenize(src);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => {
    const tk = tokens[i++];
    if (!tk) throw syntax(`Syntax error: unexpected end of '${src}'.`);
    return tk;
  };
  const expect = (text: string) => {
    const tk = next();
    if (tk.text !== text)
      throw syntax(`Syntax error: expected '${text}' but found '${tk.text}' in '${src}'.`);
  };
  const literal = (): Value => {
    const tk = next();
    if (tk.kind === 'string' || tk.kind === 'guid' || tk.kind === 'date') return tk.text;
    if (tk.kind === 'number') return Number(tk.text);
    if (tk.text === 'true') return true;
    if (tk.text === 'false') return false;
    if (tk.text === 'null') return null;
    throw syntax(`Syntax error: '${tk.text}' is not a literal in '${src}'.`);
  };
  const orExpr = (): Predicate => {
    let left = andExpr();
    while (peek()?.text === 'or') {
      next();
      const l = left;
      const r = andExpr();
      left = (row) => l(row) || r(row);
    }
    return left;
  };
  const andExpr = (): Predicate => {
    let left = unary();
    while (peek()?.text === 'and') {
      next();
      const l = left;
      const r = unary();
      left = (row) => l(row) && r(row);
    }
    return left;
  };
  const unary = (): Predicate => {
    const tk = peek();
    if (tk?.text === 'not') {
      next();
      const inner = unary();
      return (row) => !inner(row);
    }
    if (tk?.text === '(') {
      next();
      const inner = orExpr();
      expect(')');
      return inner;
    }
    return primary();
  };
  const primary = (): Predicate => {
    const word = next();
    if (word.kind !== 'word') throw syntax(`Syntax error: unexpected '${word.text}' in '${src}'.`);
    if (word.text === 'Microsoft.Dynamics.CRM.In') {
      expect('(');
      const params: Record<string, Value | Value[]> = {};
      for (;;) {
        const name = next().text;
        expect('=');
        if (peek()?.text === '[') {
          next();
          const list: Value[] = [];
          while (peek()?.text !== ']') {
            list.push(literal());
            if (peek()?.text === ',') next();
          }
          next();
          params[name] = list;
        } else params[name] = literal();
        if (peek()?.text === ',') {
          next();
          continue;
        }
        expect(')');
        break;
      }
      const col = resolveColumn(t, String(params.PropertyName));
      const set = new Set(
        ((params.PropertyValues as Value[] | undefined) ?? []).map((v) => String(v).toLowerCase()),
      );
      return (row) => row[col] !== null && row[col] !== undefined && set.has(String(row[col]).toLowerCase());
    }
    if (word.text === 'contains' || word.text === 'startswith') {
      expect('(');
      const col = resolveColumn(t, next().text);
      expect(',');
      const pattern = likePattern(String(literal()));
      expect(')');
      const re = new RegExp(word.text === 'contains' ? pattern : `^${pattern}`, 'is');
      return (row) => re.test(String(row[col] ?? ''));
    }
    const col = resolveColumn(t, word.text);
    const op = next().text;
    const v = literal();
    switch (op) {
      case 'eq':
        return (row) =>
          v === null ? row[col] === null || row[col] === undefined : compare(row[col], v) === 0;
      case 'ne':
        return (row) =>
          v === null ? row[col] !== null && row[col] !== undefined : compare(row[col], v) !== 0;
      case 'gt':
        return (row) => (compare(row[col], v) ?? -1) > 0;
      case 'ge':
        return (row) => (compare(row[col], v) ?? -1) >= 0;
      case 'lt':
        return (row) => (compare(row[col], v) ?? 1) < 0;
      case 'le':
        return (row) => (compare(row[col], v) ?? 1) <= 0;
      default:
        throw syntax(`Syntax error: unknown operator '${op}' in '${src}'.`);
    }
  };
  const p = orExpr();
  if (i < tokens.length) throw syntax(`Syntax error at '${tokens[i]?.text}' in '${src}'.`);
  return p;
}

/**
 * The text of contains/startswith as Dataverse runs it, a SQL LIKE pattern (wildcard-characters
 * page): % any run, _ one character, [abc] / [a-c] / [^abc] one of a set; a wildcard in brackets is
 * itself ([%]). Case is ignored, as Dataverse's collation does.
 */
export function likePattern(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '%') out += '.*';
    else if (ch === '_') out += '.';
    else if (ch === '[') {
      const end = text.indexOf(']', i + 2);
      if (end < 0) throw syntax(`Invalid LIKE pattern '${text}': an unclosed [.`);
      let set = text.slice(i + 1, end);
      const negate = set.startsWith('^') && set.length > 1;
      if (negate) set = set.slice(1);
      // A range (a-c) stays one; \, ] and ^ are escaped for the JavaScript class.
      out += `[${negate ? '^' : ''}${set.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else out += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

/** Splits a list at top-level commas (or another separator), leaving parenthesised parts whole. */
export function splitTop(src: string, sep = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (const ch of src) {
    if (ch === "'") quoted = !quoted;
    if (!quoted && ch === '(') depth++;
    if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && ch === sep) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
