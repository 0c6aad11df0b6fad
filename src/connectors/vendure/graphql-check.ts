/**
 * Checks GraphQL documents (and the variables sent with them) against a server's introspection
 * result, the way a server validates them before running them: every field, argument, inline
 * fragment and variable must exist with a fitting type. It reads the subset of GraphQL our
 * documents use (operations, variables, arguments, nested selections, inline fragments); the
 * tests use it so that a document that drifts from Vendure's published schema fails without a
 * running Vendure, and without a GraphQL library in Ledgerlink's dependencies.
 */
import { type Operation, parseOperation, type Selection, type TypeRef, type Value } from './graphql-parse.js';

interface InputValue {
  name: string;
  type: TypeRef;
  defaultValue: string | null;
}

interface Field {
  name: string;
  args: InputValue[];
  type: TypeRef;
}

interface SchemaType {
  kind: string;
  name: string;
  fields: Field[] | null;
  inputFields: InputValue[] | null;
  possibleTypes: Array<{ name: string }> | null;
  enumValues: Array<{ name: string }> | null;
  interfaces: Array<{ name: string }> | null;
}

export interface Introspection {
  queryType: { name: string };
  mutationType: { name: string } | null;
  types: SchemaType[];
}

/** The schema of an introspection answer ({data: {__schema}} or {__schema}). */
export function schemaOf(json: unknown): Introspection {
  const j = json as { data?: { __schema?: Introspection }; __schema?: Introspection };
  const s = j.data?.__schema ?? j.__schema;
  if (!s) throw new Error('not an introspection result');
  return s;
}

const named = (name: string, kind: string): TypeRef => ({ kind, name, ofType: null });

/**
 * The schema as Vendure builds it for string custom fields: `<Entity>.customFields` becomes
 * `<Entity>CustomFields` with the fields, the Create/Update inputs take `<Create|Update><Entity>CustomFieldsInput`,
 * and the entity's list filter and sort take each field.
 */
export function withCustomFields(
  base: Introspection,
  custom: Record<string, readonly string[]>,
): Introspection {
  const s = structuredClone(base);
  const byName = new Map(s.types.map((t) => [t.name, t]));
  const stringField = (name: string): InputValue => ({
    name,
    type: named('String', 'SCALAR'),
    defaultValue: null,
  });
  for (const [entity, names] of Object.entries(custom)) {
    const objectName = `${entity}CustomFields`;
    s.types.push({
      kind: 'OBJECT',
      name: objectName,
      fields: names.map((name) => ({ name, args: [], type: named('String', 'SCALAR') })),
      inputFields: null,
      possibleTypes: null,
      enumValues: null,
      interfaces: [],
    });
    const field = byName.get(entity)?.fields?.find((f) => f.name === 'customFields');
    if (field) field.type = named(objectName, 'OBJECT');
    for (const verb of ['Create', 'Update']) {
      const input = byName.get(`${verb}${entity}Input`);
      const slot = input?.inputFields?.find((f) => f.name === 'customFields');
      if (!slot) continue;
      const inputName = `${verb}${entity}CustomFieldsInput`;
      s.types.push({
        kind: 'INPUT_OBJECT',
        name: inputName,
        fields: null,
        inputFields: names.map(stringField),
        possibleTypes: null,
        enumValues: null,
        interfaces: null,
      });
      slot.type = named(inputName, 'INPUT_OBJECT');
    }
    byName
      .get(`${entity}FilterParameter`)
      ?.inputFields?.push(
        ...names.map((name) => ({ ...stringField(name), type: named('StringOperators', 'INPUT_OBJECT') })),
      );
    byName
      .get(`${entity}SortParameter`)
      ?.inputFields?.push(
        ...names.map((name) => ({ ...stringField(name), type: named('SortOrder', 'ENUM') })),
      );
  }
  return s;
}

const LEAF = new Set(['SCALAR', 'ENUM']);
const INPUT = new Set(['SCALAR', 'ENUM', 'INPUT_OBJECT']);

const namedType = (ref: TypeRef): string => (ref.ofType ? namedType(ref.ofType) : (ref.name ?? ''));
const show = (ref: TypeRef): string =>
  ref.kind === 'NON_NULL'
    ? `${show(ref.ofType!)}!`
    : ref.kind === 'LIST'
      ? `[${show(ref.ofType!)}]`
      : ref.name!;

class Checker {
  readonly errors: string[] = [];
  private readonly types: Map<string, SchemaType>;
  private readonly used = new Set<string>();

  constructor(
    private readonly schema: Introspection,
    private readonly op: Operation,
  ) {
    this.types = new Map(schema.types.map((t) => [t.name, t]));
  }

  run(): string[] {
    for (const v of this.op.variables) {
      const t = this.types.get(namedType(v.type));
      if (!t || !INPUT.has(t.kind))
        this.errors.push(`variable $${v.name}: "${namedType(v.type)}" is not an input type`);
    }
    const root = this.op.operation === 'query' ? this.schema.queryType.name : this.schema.mutationType?.name;
    if (!root) this.errors.push(`the schema has no ${this.op.operation} type`);
    else this.selections(root, this.op.selections, root);
    for (const v of this.op.variables)
      if (!this.used.has(v.name)) this.errors.push(`variable $${v.name} is declared but never used`);
    return this.errors;
  }

  /** Object types a composite type may be at run time. */
  private possible(name: string): Set<string> {
    const t = this.types.get(name);
    if (!t) return new Set();
    if (t.kind === 'OBJECT') return new Set([name]);
    return new Set((t.possibleTypes ?? []).map((p) => p.name));
  }

  private selections(parent: string, list: Selection[], path: string): void {
    const t = this.types.get(parent);
    if (!t) return;
    for (const s of list) {
      if (s.kind === 'fragment') {
        const on = this.types.get(s.on);
        if (!on || LEAF.has(on.kind) || on.kind === 'INPUT_OBJECT') {
          this.errors.push(`${path}: "... on ${s.on}" names no object, interface or union type`);
          continue;
        }
        const mine = this.possible(parent);
        if (![...this.possible(s.on)].some((p) => mine.has(p)))
          this.errors.push(`${path}: "${s.on}" can never be a "${parent}"`);
        this.selections(s.on, s.selections, `${path}(${s.on})`);
        continue;
      }
      if (s.name === '__typename') continue;
      const field = t.fields?.find((f) => f.name === s.name);
      const at = `${path}.${s.name}`;
      if (!field) {
        this.errors.push(`${path}: type "${parent}" has no field "${s.name}"`);
        continue;
      }
      for (const a of s.args) {
        const def = field.args.find((d) => d.name === a.name);
        if (!def) this.errors.push(`${at}: no argument "${a.name}"`);
        else this.value(a.value, def.type, `${at}(${a.name})`);
      }
      for (const d of field.args)
        if (d.type.kind === 'NON_NULL' && d.defaultValue === null && !s.args.some((a) => a.name === d.name))
          this.errors.push(`${at}: the required argument "${d.name}" is missing`);
      const inner = namedType(field.type);
      const innerType = this.types.get(inner);
      if (innerType && LEAF.has(innerType.kind)) {
        if (s.selections) this.errors.push(`${at}: "${inner}" is a leaf and takes no selection`);
      } else if (!s.selections) this.errors.push(`${at}: "${inner}" needs a selection of fields`);
      else this.selections(inner, s.selections, at);
    }
  }

  /** Whether a variable of type `v` may stand where `slot` is expected. */
  private fits(v: TypeRef, slot: TypeRef, hasDefault: boolean): boolean {
    if (slot.kind === 'NON_NULL') {
      if (v.kind !== 'NON_NULL') return hasDefault && this.fits(v, slot.ofType!, false);
      return this.fits(v.ofType!, slot.ofType!, false);
    }
    if (v.kind === 'NON_NULL') return this.fits(v.ofType!, slot, false);
    if (slot.kind === 'LIST') return v.kind === 'LIST' && this.fits(v.ofType!, slot.ofType!, false);
    return v.kind !== 'LIST' && v.name === slot.name;
  }

  private value(v: Value, slot: TypeRef, at: string): void {
    if (v.kind === 'variable') {
      this.used.add(v.name);
      const def = this.op.variables.find((d) => d.name === v.name);
      if (!def) this.errors.push(`${at}: variable $${v.name} is not declared`);
      else if (!this.fits(def.type, slot, def.hasDefault))
        this.errors.push(`${at}: variable $${v.name} is ${show(def.type)}, the argument takes ${show(slot)}`);
      return;
    }
    if (slot.kind === 'NON_NULL') {
      if (v.kind === 'null') this.errors.push(`${at}: null where ${show(slot)} is required`);
      else this.value(v, slot.ofType!, at);
      return;
    }
    if (v.kind === 'null') return;
    if (slot.kind === 'LIST') {
      for (const item of v.kind === 'list' ? v.items : [v]) this.value(item, slot.ofType!, at);
      return;
    }
    const t = this.types.get(slot.name ?? '');
    if (!t) return;
    if (t.kind === 'INPUT_OBJECT') {
      if (v.kind !== 'object') {
        this.errors.push(`${at}: "${t.name}" takes an object`);
        return;
      }
      for (const f of v.fields) {
        const def = t.inputFields?.find((d) => d.name === f.name);
        if (!def) this.errors.push(`${at}: "${t.name}" has no field "${f.name}"`);
        else this.value(f.value, def.type, `${at}.${f.name}`);
      }
      return;
    }
    if (t.kind === 'ENUM') {
      if (v.kind !== 'enum' || !t.enumValues?.some((e) => e.name === v.value))
        this.errors.push(`${at}: not a value of enum "${t.name}"`);
      return;
    }
    const literal: Record<string, string[]> = {
      Int: ['int'],
      Float: ['int', 'float'],
      String: ['string'],
      ID: ['string', 'int'],
      Boolean: ['boolean'],
    };
    const allowed = literal[t.name];
    if (allowed && !allowed.includes(v.kind))
      this.errors.push(`${at}: a ${v.kind} literal is not a "${t.name}"`);
  }
}

/** What is wrong with a document against a schema; empty when a server would take it. */
export function checkDocument(schema: Introspection, doc: string): string[] {
  let op: Operation;
  try {
    op = parseOperation(doc);
  } catch (e) {
    return [(e as Error).message];
  }
  return new Checker(schema, op).run();
}

/** Which JSON values a variable of a scalar takes (other scalars, such as JSON or DateTime, take any). */
const SCALAR_VALUES = new Map<string, (x: unknown) => boolean>([
  ['Int', (x) => Number.isInteger(x) && Math.abs(x as number) <= 2 ** 31 - 1],
  ['Float', (x) => typeof x === 'number' && Number.isFinite(x)],
  ['String', (x) => typeof x === 'string'],
  ['ID', (x) => typeof x === 'string' || Number.isInteger(x)],
  ['Boolean', (x) => typeof x === 'boolean'],
  // Vendure's Money is an integer of minor units, beyond 32 bits.
  ['Money', (x) => Number.isSafeInteger(x)],
]);

/** What is wrong with the variables a request sends with a document (JSON values against the declared types). */
export function checkVariables(
  schema: Introspection,
  doc: string,
  variables: Record<string, unknown>,
): string[] {
  const types = new Map(schema.types.map((t) => [t.name, t]));
  const errors: string[] = [];
  const check = (v: unknown, ref: TypeRef, at: string): void => {
    if (ref.kind === 'NON_NULL') {
      if (v === null || v === undefined) errors.push(`${at}: required (${show(ref)})`);
      else check(v, ref.ofType!, at);
      return;
    }
    if (v === null || v === undefined) return;
    if (ref.kind === 'LIST') {
      for (const [i, item] of (Array.isArray(v) ? v : [v]).entries()) check(item, ref.ofType!, `${at}[${i}]`);
      return;
    }
    const t = types.get(ref.name ?? '');
    if (!t) return;
    if (t.kind === 'INPUT_OBJECT') {
      if (typeof v !== 'object' || Array.isArray(v)) {
        errors.push(`${at}: "${t.name}" takes an object`);
        return;
      }
      const obj = v as Record<string, unknown>;
      for (const k of Object.keys(obj))
        if (!t.inputFields?.some((f) => f.name === k)) errors.push(`${at}: "${t.name}" has no field "${k}"`);
      for (const f of t.inputFields ?? []) check(obj[f.name], f.type, `${at}.${f.name}`);
      return;
    }
    if (t.kind === 'ENUM') {
      if (!t.enumValues?.some((e) => e.name === v))
        errors.push(`${at}: ${JSON.stringify(v)} is not a value of "${t.name}"`);
      return;
    }
    const fits = SCALAR_VALUES.get(t.name);
    if (fits && !fits(v)) errors.push(`${at}: ${JSON.stringify(v)} is not a "${t.name}"`);
  };
  const op = parseOperation(doc);
  for (const d of op.variables) check(variables[d.name], d.type, `$${d.name}`);
  for (const k of Object.keys(variables))
    if (!op.variables.some((d) => d.name === k)) errors.push(`$${k} is not a variable of the document`);
  return errors;
}
