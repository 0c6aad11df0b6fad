import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { projectRoot } from '../../util/project-root.js';

// ajv-formats ships CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Validates HTTP traffic against a published Swagger 2.0 or OpenAPI 3.0 document. Sandboxes run it
 * on every request they receive (what our clients send) and every response they return (what they
 * serve), so a drift between our reading of an API and its published contract fails the tests.
 */
export interface SpecValidator {
  /** Violations of the request: body schema, required and typed parameters. */
  checkRequest(req: ExchangeShape): string[];
  /** Violations of the response: documented status and body schema. */
  checkResponse(req: ExchangeShape, status: number, body: unknown, opts?: { fault?: boolean }): string[];
  /** Whether the spec documents this method and path at all. */
  hasOperation(method: string, path: string): boolean;
}

export interface ExchangeShape {
  method: string;
  /** Path below the spec's base path, e.g. "/V1/customers/search" or "/Customer". */
  path: string;
  query?: Record<string, string | string[] | undefined>;
  body?: unknown;
}

export interface SpecOptions {
  /** Query parameters a spec lists only by example (Magento's searchCriteria[...] family). */
  allowQuery?: RegExp;
  /**
   * Operations whose server lays the request body over the stored record, so the properties a
   * schema marks required (for a create) may be left out: `ref` is the schema, e.g.
   * "#/definitions/customer-data-customer-interface", whose `required` list does not apply there.
   */
  mergedBodies?: ReadonlyArray<{ method: string; template: string; ref: string }>;
}

/** `schema` with each `$ref` to `ref` replaced by that schema less its `required` list. */
function withoutRequired(doc: Json, schema: unknown, ref: string): unknown {
  if (Array.isArray(schema)) return schema.map((n) => withoutRequired(doc, n, ref));
  if (!schema || typeof schema !== 'object') return schema;
  if ((schema as Json).$ref === ref) {
    const { required: _required, ...rest } = resolve(doc, schema);
    return rest;
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, withoutRequired(doc, v, ref)]));
}

interface Param {
  name: string;
  in: string;
  required?: boolean;
  type?: string;
  schema?: Record<string, unknown>;
}

interface Operation {
  template: string;
  regex: RegExp;
  literalSegments: number;
  method: string;
  params: Param[];
  bodySchema?: () => ValidateFunction;
  bodyRequired: boolean;
  responses: Map<string, (() => ValidateFunction) | null>;
}

type Json = Record<string, unknown>;

const OPENAPI_FORMATS = [
  'int32',
  'int64',
  'float',
  'double',
  'byte',
  'binary',
  'password',
  'decimal',
  'int16',
  // Sage 200's specs give a number's scale as its format ("decimal 2dp"): a note, not a check.
  ...[2, 3, 4, 5, 6, 7, 9].map((n) => `decimal ${n}dp`),
];

function rewriteRefs(node: unknown, docId: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, docId));
  if (node && typeof node === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] =
        k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${docId}${v}` : rewriteRefs(v, docId);
    }
    return out;
  }
  return node;
}

function resolve(doc: Json, node: unknown): Json {
  let cur = node as Json;
  for (let i = 0; i < 10 && cur && typeof cur.$ref === 'string'; i++) {
    const path = (cur.$ref as string).replace(/^#\//, '').split('/');
    cur = path.reduce<unknown>(
      (n, seg) => (n as Json)[seg.replace(/~1/g, '/').replace(/~0/g, '~')],
      doc,
    ) as Json;
  }
  return cur;
}

function templateRegex(template: string): RegExp {
  const pattern = template
    .split('/')
    .map((seg) => (/^\{[^}]+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}/?$`);
}

const cache = new Map<string, SpecValidator>();

/** Loads a spec from the vendored `specs/` folder, e.g. loadSpec('magento2/admin-schema-2.4.8.yaml'). */
export function loadSpec(relativePath: string, opts: SpecOptions = {}): SpecValidator {
  const key = `${relativePath}|${opts.allowQuery?.source ?? ''}|${JSON.stringify(opts.mergedBodies ?? [])}`;
  let v = cache.get(key);
  if (!v) {
    const text = readFileSync(join(projectRoot(), 'specs', relativePath), 'utf8');
    const doc = (relativePath.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Json;
    v = buildValidator(doc, opts);
    cache.set(key, v);
  }
  return v;
}

export function buildValidator(doc: Json, opts: SpecOptions = {}): SpecValidator {
  const docId = 'spec.json';
  const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false, discriminator: false });
  addFormats(ajv);
  for (const f of OPENAPI_FORMATS) ajv.addFormat(f, true);
  ajv.addSchema(doc, docId);
  const isOas3 = typeof doc.openapi === 'string';
  const compiled = new Map<string, ValidateFunction>();
  // Compiled on first use: a spec has hundreds of operations and a test touches a handful.
  const compile =
    (schema: unknown): (() => ValidateFunction) =>
    () => {
      const key = JSON.stringify(schema);
      let fn = compiled.get(key);
      if (!fn) {
        fn = ajv.compile(rewriteRefs(schema, docId) as Json);
        compiled.set(key, fn);
      }
      return fn;
    };
  const jsonSchemaOf = (holder: Json | undefined): unknown => {
    if (!holder) return undefined;
    if (!isOas3) return holder.schema;
    const content = holder.content as Record<string, Json> | undefined;
    return content?.['application/json']?.schema;
  };

  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
    const shared = ((item.parameters as unknown[]) ?? []).map((p) => resolve(doc, p) as unknown as Param);
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
      const op = raw as Json;
      const params = [
        ...shared,
        ...((op.parameters as unknown[]) ?? []).map((p) => resolve(doc, p) as unknown as Param),
      ];
      let bodySchema: (() => ValidateFunction) | undefined;
      let bodyRequired = false;
      const merged = opts.mergedBodies?.find(
        (m) => m.method.toLowerCase() === method && m.template === template,
      );
      const bodyOf = (schema: unknown) => compile(merged ? withoutRequired(doc, schema, merged.ref) : schema);
      if (isOas3 && op.requestBody) {
        const rb = resolve(doc, op.requestBody);
        const schema = jsonSchemaOf(rb);
        if (schema) bodySchema = bodyOf(schema);
        bodyRequired = rb.required === true;
      } else {
        const bodyParam = params.find((p) => p.in === 'body');
        if (bodyParam?.schema) bodySchema = bodyOf(bodyParam.schema);
        bodyRequired = bodyParam?.required === true;
      }
      const responses = new Map<string, (() => ValidateFunction) | null>();
      for (const [status, r] of Object.entries((op.responses as Json) ?? {})) {
        const schema = jsonSchemaOf(resolve(doc, r));
        responses.set(status, schema ? compile(schema) : null);
      }
      ops.push({
        template,
        regex: templateRegex(template),
        literalSegments: template.split('/').filter((s) => s && !s.startsWith('{')).length,
        method: method.toUpperCase(),
        params,
        ...(bodySchema ? { bodySchema } : {}),
        bodyRequired,
        responses,
      });
    }
  }
  // Literal segments win over templates: /V1/customers/search before /V1/customers/{customerId}.
  ops.sort((a, b) => b.literalSegments - a.literalSegments);

  const find = (method: string, path: string): Operation | undefined =>
    ops.find((o) => o.method === method.toUpperCase() && o.regex.test(path));

  const describe = (fn: ValidateFunction): string =>
    (fn.errors ?? [])
      .slice(0, 3)
      .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`)
      .join('; ');

  return {
    hasOperation: (method, path) => find(method, path) !== undefined,
    checkRequest(req) {
      const op = find(req.method, req.path);
      if (!op) return [`${req.method} ${req.path} is not an operation of the published API`];
      const out: string[] = [];
      const query = req.query ?? {};
      const known = new Set(op.params.filter((p) => p.in === 'query').map((p) => p.name));
      for (const p of op.params) {
        if (p.in !== 'query') continue;
        const value = query[p.name];
        if (value === undefined) {
          if (p.required) out.push(`${req.method} ${op.template}: query parameter ${p.name} is required`);
          continue;
        }
        const type = p.type ?? (p.schema?.type as string | undefined);
        for (const v of Array.isArray(value) ? value : [value]) {
          if (type === 'integer' && !/^-?\d+$/.test(v))
            out.push(`${op.template}: ${p.name}=${v} is not an integer`);
          if (type === 'boolean' && !/^(true|false)$/.test(v))
            out.push(`${op.template}: ${p.name}=${v} is not a boolean`);
        }
      }
      for (const name of Object.keys(query)) {
        if (!known.has(name) && !opts.allowQuery?.test(name)) {
          out.push(`${req.method} ${op.template}: query parameter ${name} is not in the published API`);
        }
      }
      if (op.bodySchema && req.body !== undefined) {
        const fn = op.bodySchema();
        if (!fn(req.body)) out.push(`${req.method} ${op.template} request body: ${describe(fn)}`);
      } else if (op.bodyRequired && req.body === undefined) {
        out.push(`${req.method} ${op.template}: a request body is required`);
      }
      return out;
    },
    checkResponse(req, status, body, o = {}) {
      const op = find(req.method, req.path);
      if (!op) return [];
      const key = op.responses.has(String(status))
        ? String(status)
        : op.responses.has('default')
          ? 'default'
          : undefined;
      if (key === undefined) {
        if (o.fault) return [];
        return [`${req.method} ${op.template} answered ${status}, which the published API does not document`];
      }
      const fn = op.responses.get(key)?.();
      if (!fn || body === undefined) return [];
      return fn(body) ? [] : [`${req.method} ${op.template} ${status} response body: ${describe(fn)}`];
    },
  };
}
