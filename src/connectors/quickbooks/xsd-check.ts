import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { projectRoot } from '../../util/project-root.js';

/**
 * Checks the JSON we send to QuickBooks Online against Intuit's XSDs (specs/quickbooks, the data
 * model the v3 API's JSON is a rendering of): every key must be an element (or attribute) of its
 * type, arrays only where the element repeats, simple values of the element's type (decimal,
 * boolean, date, an enumeration's values), strings within the maximum length the element's
 * documentation states for QuickBooks Online, elements documented for QuickBooks Desktop only are
 * refused, and required elements (minOccurs ≥ 1, a required choice) are present — except in a sparse
 * update, which sends only what changes. The sandbox refuses what this finds with the ValidationFault
 * the real API would answer, naming the element; the tests run it over everything the connector sends.
 *
 * JSON rendering rules (Intuit's JSON serialisation of these types): an element is a key; a repeated
 * element an array; an attribute a key too (`sparse`, `domain`, a reference's `name`); simple content
 * (ReferenceType, MemoRef) the key `value`.
 */
export interface XsdProblem {
  /** Dotted path of the element, e.g. Invoice.Line[0].SalesItemLineDetail.Qty */
  path: string;
  /** The element's name, as a ValidationFault's `element` names it. */
  element: string;
  message: string;
}

interface ElementDecl {
  name: string;
  type: string;
  min: number;
  repeated: boolean;
  maxLength?: number;
  desktopOnly: boolean;
}

interface Choice {
  names: string[];
  required: boolean;
}

interface TypeModel {
  elements: Map<string, ElementDecl>;
  attributes: Map<string, string>;
  choices: Choice[];
  /** Simple content: the JSON object's `value` has this type. */
  simpleBase?: string;
}

interface SimpleDecl {
  base: string;
  enumeration?: string[];
  maxLength?: number;
}

type Node = Record<string, unknown>;

const FILES = ['IntuitBaseTypes.xsd', 'IntuitNamesTypes.xsd', 'Finance.xsd', 'SalesTax.xsd'];

const list = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node]);
/** Type names as the XSDs write them: built-ins with the xs: prefix, Intuit's own without one. */
const local = (t: string): string => t;

/** The documentation of an element, as one line. */
function docOf(el: Node): string {
  const ann = el['xs:annotation'] as Node | undefined;
  const docs = list(ann?.['xs:documentation']);
  return docs
    .map((d) => (typeof d === 'string' ? d : String((d as Node)['#text'] ?? '')))
    .join(' ')
    .replace(/\s+/g, ' ');
}

/**
 * The maximum length the documentation gives for QuickBooks Online: a "ValidRange: QBO: max=N", else
 * the first "max(imum)? length … N" in the part about QBO or ALL (the QBW part often differs).
 */
export function maxLengthOf(doc: string): number | undefined {
  const valid = /ValidRange: QBO: max=(\d+)/i.exec(doc);
  if (valid) return Number(valid[1]);
  const parts = doc.split(/(?=Product: )/);
  for (const part of parts) {
    if (/^Product: QBW/.test(part)) continue;
    const qbwAt = part.search(/Description: QBW/);
    const text = qbwAt >= 0 ? part.slice(0, qbwAt) : part;
    const m =
      /max(?:imum|\.)? length(?: for [A-Za-z ]+?)?(?::| is) ?(\d+)/i.exec(text) ??
      /Length Restriction:[^\d]*(\d+)/i.exec(text);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/**
 * Elements the XSD documents for QuickBooks Desktop only that Intuit's QuickBooks Online API reference
 * lists all the same: CustomField on sales transactions (up to three string custom fields, Invoice
 * page of the API reference).
 */
const ONLINE_TOO = new Set(['CustomField']);

const desktopOnlyDoc = (doc: string): boolean =>
  /Product: QBW/.test(doc) &&
  !/Product: (QBO|ALL)/.test(doc) &&
  !/QBO/.test(doc.replace(/Product: QBW/g, ''));

/** The XSD's types, read once. */
export class XsdModel {
  private readonly complex = new Map<string, Node>();
  private readonly simple = new Map<string, SimpleDecl>();
  private readonly models = new Map<string, TypeModel>();

  constructor(dir = join(projectRoot(), 'specs', 'quickbooks')) {
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      isArray: (name) =>
        [
          'xs:element',
          'xs:complexType',
          'xs:simpleType',
          'xs:attribute',
          'xs:choice',
          'xs:sequence',
          'xs:enumeration',
          'xs:documentation',
        ].includes(name),
    });
    for (const f of FILES) {
      const text = readFileSync(join(dir, f), 'utf8').replace(/^\uFEFF/, '');
      const schema = (parser.parse(text) as Node)['xs:schema'] as Node;
      for (const ct of list(schema['xs:complexType'])) this.complex.set(String(ct['@_name']), ct);
      for (const st of list(schema['xs:simpleType'])) {
        const r = st['xs:restriction'] as Node | undefined;
        const decl: SimpleDecl = { base: local(String(r?.['@_base'] ?? 'xs:string')) };
        const en = list(r?.['xs:enumeration']).map((e) => String(e['@_value']));
        if (en.length) decl.enumeration = en;
        const ml = r?.['xs:maxLength'] as Node | undefined;
        if (ml) decl.maxLength = Number(ml['@_value']);
        this.simple.set(String(st['@_name']), decl);
      }
    }
  }

  hasType(name: string): boolean {
    return this.complex.has(name);
  }

  model(name: string): TypeModel {
    let m = this.models.get(name);
    if (m) return m;
    const ct = this.complex.get(name);
    if (!ct) throw new Error(`the QuickBooks XSD has no type ${name}`);
    m = { elements: new Map(), attributes: new Map(), choices: [] };
    this.models.set(name, m);
    const cc = ct['xs:complexContent'] as Node | undefined;
    const sc = ct['xs:simpleContent'] as Node | undefined;
    let body: Node = ct;
    if (cc) {
      const ext = (cc['xs:extension'] ?? cc['xs:restriction']) as Node;
      const base = this.model(String(ext['@_base']));
      for (const [k, v] of base.elements) m.elements.set(k, v);
      for (const [k, v] of base.attributes) m.attributes.set(k, v);
      m.choices.push(...base.choices);
      if (base.simpleBase) m.simpleBase = base.simpleBase;
      body = ext;
    } else if (sc) {
      const ext = (sc['xs:extension'] ?? sc['xs:restriction']) as Node;
      const base = String(ext['@_base']);
      if (this.complex.has(base)) {
        const bm = this.model(base);
        for (const [k, v] of bm.attributes) m.attributes.set(k, v);
        if (bm.simpleBase) m.simpleBase = bm.simpleBase;
      } else m.simpleBase = local(base);
      body = ext;
    }
    for (const a of list(body['xs:attribute']))
      m.attributes.set(String(a['@_name']), local(String(a['@_type'] ?? 'xs:string')));
    this.group(body, m, false);
    return m;
  }

  /** Adds a sequence's or choice's elements; those inside a choice are never required on their own. */
  private group(node: Node, m: TypeModel, inChoice: boolean): void {
    for (const el of list(node['xs:element'])) this.addElement(el, m, inChoice);
    for (const seq of list(node['xs:sequence'])) this.group(seq, m, inChoice);
    for (const ch of list(node['xs:choice'])) {
      const before = new Set(m.elements.keys());
      this.group(ch, m, true);
      const names = [...m.elements.keys()].filter((k) => !before.has(k));
      const min = ch['@_minOccurs'] === undefined ? 1 : Number(ch['@_minOccurs']);
      // A choice is required only when it is, and none of its options may be left out.
      const optional = names.some((n) => m.elements.get(n)!.min === 0);
      m.choices.push({ names, required: !inChoice && min >= 1 && !optional });
    }
  }

  private addElement(el: Node, m: TypeModel, inChoice: boolean): void {
    const name = String(el['@_name'] ?? el['@_ref'] ?? '');
    if (!name) return;
    const doc = docOf(el);
    const decl: ElementDecl = {
      name,
      type: local(String(el['@_type'] ?? el['@_ref'] ?? 'xs:string')),
      min: inChoice ? 0 : el['@_minOccurs'] === undefined ? 1 : Number(el['@_minOccurs']),
      repeated: el['@_maxOccurs'] === 'unbounded' || Number(el['@_maxOccurs'] ?? 1) > 1,
      desktopOnly: desktopOnlyDoc(doc) && !ONLINE_TOO.has(name),
    };
    const max = maxLengthOf(doc);
    if (max !== undefined) decl.maxLength = max;
    m.elements.set(name, decl);
  }

  /**
   * What is wrong with a payload of a top-level entity (Customer, Item, Invoice). `sparse` (a sparse
   * update) skips the required elements; `extraLengths` adds limits Intuit's API reference gives and
   * the XSD's documentation does not (by element path such as "Customer.DisplayName").
   */
  check(
    entity: string,
    payload: unknown,
    opts: { sparse?: boolean; extraLengths?: Readonly<Record<string, number>> } = {},
  ): XsdProblem[] {
    const out: XsdProblem[] = [];
    this.value(entity, entity, entity, payload, out, {
      required: !opts.sparse && !(payload as { sparse?: unknown })?.sparse,
      extra: opts.extraLengths ?? {},
      typePath: entity,
    });
    return out;
  }

  private value(
    path: string,
    element: string,
    type: string,
    v: unknown,
    out: XsdProblem[],
    ctx: { required: boolean; extra: Readonly<Record<string, number>>; typePath: string },
    decl?: ElementDecl,
  ): void {
    if (type === 'IntuitAnyType') return;
    if (this.complex.has(type)) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        out.push({ path, element, message: `${path} must be an object (${type})` });
        return;
      }
      const m = this.model(type);
      const obj = v as Record<string, unknown>;
      for (const [k, child] of Object.entries(obj)) {
        const childPath = `${path}.${k}`;
        if (k === 'value' && m.simpleBase) {
          this.simpleValue(childPath, element, m.simpleBase, child, out);
          continue;
        }
        const attr = m.attributes.get(k);
        if (attr) {
          this.simpleValue(childPath, k, attr, child, out);
          continue;
        }
        const d = m.elements.get(k);
        if (!d) {
          out.push({ path: childPath, element: k, message: `${k} is not an element of ${type}` });
          continue;
        }
        if (d.desktopOnly) {
          out.push({
            path: childPath,
            element: k,
            message: `${k} is a QuickBooks Desktop element of ${type}; QuickBooks Online does not take it`,
          });
          continue;
        }
        const typePath = `${type}.${k}`;
        const items = Array.isArray(child) ? child : [child];
        if (Array.isArray(child) && !d.repeated) {
          out.push({
            path: childPath,
            element: k,
            message: `${childPath} occurs once; it must not be a list`,
          });
          continue;
        }
        for (const [i, item] of items.entries())
          this.value(
            Array.isArray(child) ? `${childPath}[${i}]` : childPath,
            k,
            d.type,
            item,
            out,
            { ...ctx, typePath },
            d,
          );
      }
      if (m.simpleBase && obj.value === undefined && ctx.required)
        out.push({ path: `${path}.value`, element, message: `${path} needs a value` });
      if (!ctx.required) return;
      for (const d of m.elements.values()) {
        if (d.min >= 1 && obj[d.name] === undefined && !d.desktopOnly)
          out.push({
            path: `${path}.${d.name}`,
            element: d.name,
            message: `${d.name} is required in ${type}`,
          });
      }
      for (const c of m.choices) {
        if (c.required && !c.names.some((n) => obj[n] !== undefined))
          out.push({
            path,
            element: c.names[0] ?? element,
            message: `${type} needs one of ${c.names.join(', ')}`,
          });
      }
      return;
    }
    const limit = ctx.extra[ctx.typePath] ?? decl?.maxLength;
    this.simpleValue(path, element, type, v, out, limit);
  }

  private simpleValue(
    path: string,
    element: string,
    type: string,
    v: unknown,
    out: XsdProblem[],
    maxLength?: number,
  ): void {
    const fail = (message: string): void => {
      out.push({ path, element, message });
    };
    const named = this.simple.get(type);
    if (named) {
      if (named.enumeration && !named.enumeration.includes(String(v))) {
        fail(`${path} is "${String(v)}", not one of ${named.enumeration.join(', ')}`);
        return;
      }
      const limit = named.maxLength ?? maxLength;
      this.simpleValue(path, element, named.base, v, out, limit);
      return;
    }
    switch (type) {
      case 'xs:decimal':
      case 'xs:double':
      case 'xs:float':
        if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path} must be a decimal number`);
        return;
      case 'xs:int':
      case 'xs:integer':
      case 'xs:long':
        if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${path} must be a whole number`);
        return;
      case 'xs:positiveInteger':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
          fail(`${path} must be a whole number from 1`);
        return;
      case 'xs:boolean':
        if (typeof v !== 'boolean') fail(`${path} must be true or false`);
        return;
      case 'xs:date':
        if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v))
          fail(`${path} must be a date (YYYY-MM-DD)`);
        return;
      case 'xs:dateTime':
        if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) fail(`${path} must be a date-time`);
        return;
      default:
        if (typeof v !== 'string') {
          fail(`${path} must be text`);
          return;
        }
        if (maxLength !== undefined && [...v].length > maxLength)
          fail(`${path} is ${[...v].length} characters long; QuickBooks takes at most ${maxLength}`);
    }
  }
}

/**
 * Lengths Intuit's API reference gives for elements whose XSD documentation states none or states
 * QuickBooks Desktop's (developer.intuit.com › API reference › Customer, Item, Invoice; FACTS.md).
 */
export const API_REFERENCE_LENGTHS: Readonly<Record<string, number>> = {
  'Customer.DisplayName': 500,
  'Customer.CompanyName': 100,
  'Customer.GivenName': 100,
  'Customer.FamilyName': 100,
  'Customer.Notes': 2000,
  'PhysicalAddress.Line1': 500,
  'PhysicalAddress.Line2': 500,
  'PhysicalAddress.City': 255,
  'PhysicalAddress.Country': 255,
  'PhysicalAddress.CountrySubDivisionCode': 255,
  'PhysicalAddress.PostalCode': 30,
  'EmailAddress.Address': 100,
  'TelephoneNumber.FreeFormNumber': 30,
  'Item.Name': 100,
  'Item.Description': 4000,
  'Item.Sku': 100,
  'Invoice.DocNumber': 21,
  'Invoice.PrivateNote': 4000,
  'Line.Description': 4000,
  'CustomField.StringValue': 31,
};

let shared: XsdModel | undefined;

/** The model of specs/quickbooks, parsed once per process (the Finance XSD is half a megabyte). */
export function quickbooksXsd(): XsdModel {
  shared ??= new XsdModel();
  return shared;
}

/** Problems of a payload, with the API reference's lengths. */
export function checkPayload(entity: string, payload: unknown, sparse = false): XsdProblem[] {
  return quickbooksXsd().check(entity, payload, { sparse, extraLengths: API_REFERENCE_LENGTHS });
}
