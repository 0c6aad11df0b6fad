/**
 * Reads one GraphQL operation into a small tree: the subset of GraphQL Ledgerlink's documents use
 * (an operation with variables, arguments, nested selections and inline fragments). See
 * graphql-check.ts, which checks the tree against a schema.
 */

/** A type as introspection writes it: NON_NULL and LIST wrap a named type (NAMED, when parsed). */
export interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}

export type Value =
  | { kind: 'variable'; name: string }
  | { kind: 'int' | 'float' | 'string' | 'boolean' | 'null' | 'enum'; value: string }
  | { kind: 'list'; items: Value[] }
  | { kind: 'object'; fields: Array<{ name: string; value: Value }> };

export type Selection =
  | { kind: 'field'; name: string; args: Array<{ name: string; value: Value }>; selections?: Selection[] }
  | { kind: 'fragment'; on: string; selections: Selection[] };

export interface VariableDefinition {
  name: string;
  type: TypeRef;
  hasDefault: boolean;
}

export interface Operation {
  operation: 'query' | 'mutation';
  name?: string;
  variables: VariableDefinition[];
  selections: Selection[];
}

const TOKEN =
  /\s+|,|#[^\n]*|(\.\.\.|[!$():=@[\]{}|])|([_A-Za-z][_0-9A-Za-z]*)|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|("(?:[^"\\]|\\.)*")/y;

function tokens(doc: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < doc.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(doc);
    if (!m) throw new Error(`cannot read the document at "${doc.slice(at, at + 20)}"`);
    const t = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (t !== undefined) out.push(t);
  }
  return out;
}

/** Reads one operation: `query|mutation Name($v: Type = default) { … }`. */
export function parseOperation(doc: string): Operation {
  const t = tokens(doc);
  let i = 0;
  const peek = () => t[i];
  const next = () => {
    const v = t[i++];
    if (v === undefined) throw new Error('the document ends too early');
    return v;
  };
  const expect = (v: string) => {
    const got = next();
    if (got !== v) throw new Error(`expected "${v}", found "${got}"`);
  };
  const type = (): TypeRef => {
    let ref: TypeRef;
    if (peek() === '[') {
      next();
      ref = { kind: 'LIST', name: null, ofType: type() };
      expect(']');
    } else ref = { kind: 'NAMED', name: next(), ofType: null };
    if (peek() === '!') {
      next();
      return { kind: 'NON_NULL', name: null, ofType: ref };
    }
    return ref;
  };
  const value = (): Value => {
    const v = next();
    if (v === '$') return { kind: 'variable', name: next() };
    if (v === '[') {
      const items: Value[] = [];
      while (peek() !== ']') items.push(value());
      next();
      return { kind: 'list', items };
    }
    if (v === '{') {
      const fields: Array<{ name: string; value: Value }> = [];
      while (peek() !== '}') {
        const name = next();
        expect(':');
        fields.push({ name, value: value() });
      }
      next();
      return { kind: 'object', fields };
    }
    if (v.startsWith('"')) return { kind: 'string', value: JSON.parse(v) as string };
    if (/^-?\d/.test(v)) return { kind: /[.eE]/.test(v) ? 'float' : 'int', value: v };
    if (v === 'true' || v === 'false') return { kind: 'boolean', value: v };
    if (v === 'null') return { kind: 'null', value: v };
    return { kind: 'enum', value: v };
  };
  const selections = (): Selection[] => {
    expect('{');
    const out: Selection[] = [];
    while (peek() !== '}') {
      if (peek() === '...') {
        next();
        if (next() !== 'on') throw new Error('named fragments are not supported; use an inline fragment');
        const on = next();
        out.push({ kind: 'fragment', on, selections: selections() });
        continue;
      }
      let name = next();
      if (peek() === ':') {
        next();
        name = next(); // an alias: the field is what follows it
      }
      const args: Array<{ name: string; value: Value }> = [];
      if (peek() === '(') {
        next();
        while (peek() !== ')') {
          const arg = next();
          expect(':');
          args.push({ name: arg, value: value() });
        }
        next();
      }
      out.push({ kind: 'field', name, args, ...(peek() === '{' ? { selections: selections() } : {}) });
    }
    next();
    return out;
  };

  let operation: Operation['operation'] = 'query';
  let name: string | undefined;
  const variables: VariableDefinition[] = [];
  if (peek() === 'query' || peek() === 'mutation') {
    operation = next() as Operation['operation'];
    if (peek() !== '(' && peek() !== '{') name = next();
    if (peek() === '(') {
      next();
      while (peek() !== ')') {
        expect('$');
        const v = next();
        expect(':');
        const ref = type();
        let hasDefault = false;
        if (peek() === '=') {
          next();
          value();
          hasDefault = true;
        }
        variables.push({ name: v, type: ref, hasDefault });
      }
      next();
    }
  }
  const out: Operation = { operation, variables, selections: selections() };
  if (name) out.name = name;
  if (i < t.length) throw new Error(`only one operation per document (found "${t[i]}" after it)`);
  return out;
}
