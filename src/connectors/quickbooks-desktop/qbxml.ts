import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * qbXML as text: requests built in the element order the qbXML schema demands (QuickBooks refuses a
 * message whose elements are out of order), responses parsed into plain objects whose repeating
 * elements are always arrays. See FACTS.md for the shapes and where they come from.
 */

/** The qbXML version our requests declare: 13.0 is QuickBooks 2014 and later (every supported edition). */
export const QBXML_VERSION = '13.0';

/** Elements that may repeat in what we read or send: always arrays after parsing. */
const REPEATING = new Set([
  'CustomerRet',
  'ItemServiceRet',
  'ItemNonInventoryRet',
  'ItemOtherChargeRet',
  'ItemInventoryRet',
  'ItemInventoryAssemblyRet',
  'ItemFixedAssetRet',
  'ItemSubtotalRet',
  'ItemDiscountRet',
  'ItemPaymentRet',
  'ItemSalesTaxRet',
  'ItemSalesTaxGroupRet',
  'ItemGroupRet',
  'InvoiceRet',
  'InvoiceLineRet',
  'InvoiceLineGroupRet',
  'InvoiceLineAdd',
  'LinkedTxn',
  'IncludeRetElement',
  'DataExtRet',
  'ShipToAddress',
]);

/** Ids a query may name several of. */
const FILTER_IDS = new Set(['ListID', 'FullName', 'TxnID', 'RefNumber']);

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: false,
  suppressEmptyNode: false,
  processEntities: true,
});

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  ignorePiTags: true,
  trimValues: true,
  htmlEntities: true,
  // ListID, FullName, TxnID and RefNumber repeat only as a query's filter (a Ret has one of each).
  isArray: (name, jpath) =>
    REPEATING.has(name) || (FILTER_IDS.has(name) && /(QueryRq|EntityFilter)\.[A-Za-z]+$/.test(String(jpath))),
});

export type Node = Record<string, unknown>;

/** A whole qbXML request message: one or more requests (`{ CustomerAddRq: {...} }`), in order. */
export function qbxmlRequest(
  requests: Node,
  o: { version?: string; onError?: 'stopOnError' | 'continueOnError' } = {},
): string {
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    '?qbxml': { '@_version': o.version ?? QBXML_VERSION },
    QBXML: { QBXMLMsgsRq: { '@_onError': o.onError ?? 'stopOnError', ...requests } },
  }) as string;
}

/** A whole qbXML response message, as QuickBooks writes one. */
export function qbxmlResponse(responses: Node, version = QBXML_VERSION): string {
  return builder.build({
    '?xml': { '@_version': '1.0' },
    '?qbxml': { '@_version': version },
    QBXML: { QBXMLMsgsRs: responses },
  }) as string;
}

export function parseQbxml(xml: string): Node {
  return parser.parse(xml) as Node;
}

/** One response of a message (`CustomerQueryRs`) with its status attributes. */
export interface QbxmlStatus {
  name: string;
  requestID?: string;
  statusCode: number;
  statusSeverity: 'Info' | 'Warn' | 'Error' | string;
  statusMessage: string;
  retCount?: number;
  iteratorRemainingCount?: number;
  iteratorID?: string;
  body: Node;
}

/** The responses of a qbXML response message, in order. Throws when it is not one. */
export function responsesOf(xml: string): QbxmlStatus[] {
  const doc = parseQbxml(xml);
  const msgs = (doc.QBXML as Node | undefined)?.QBXMLMsgsRs as Node | undefined;
  if (!msgs || typeof msgs !== 'object') throw new Error('not a qbXML response: no QBXML/QBXMLMsgsRs');
  const out: QbxmlStatus[] = [];
  for (const [name, value] of Object.entries(msgs)) {
    if (name.startsWith('@_')) continue;
    for (const rs of Array.isArray(value) ? value : [value]) {
      const n = (rs ?? {}) as Node;
      const attr = (k: string) => (n[`@_${k}`] === undefined ? undefined : String(n[`@_${k}`]));
      const remaining = attr('iteratorRemainingCount');
      const ret = attr('retCount');
      out.push({
        name,
        ...(attr('requestID') !== undefined ? { requestID: attr('requestID')! } : {}),
        statusCode: Number(attr('statusCode') ?? 0),
        statusSeverity: attr('statusSeverity') ?? 'Info',
        statusMessage: attr('statusMessage') ?? '',
        ...(ret !== undefined ? { retCount: Number(ret) } : {}),
        ...(remaining !== undefined ? { iteratorRemainingCount: Number(remaining) } : {}),
        ...(attr('iteratorID') !== undefined ? { iteratorID: attr('iteratorID')! } : {}),
        body: n,
      });
    }
  }
  return out;
}

/** The requests of a qbXML request message, in order, and the message's onError. */
export function requestsOf(xml: string): {
  onError: string;
  version?: string;
  requests: Array<{ name: string; body: Node }>;
} {
  const version = /<\?qbxml\s+version\s*=\s*"([^"]+)"/.exec(xml)?.[1];
  const doc = parseQbxml(xml);
  const msgs = (doc.QBXML as Node | undefined)?.QBXMLMsgsRq as Node | undefined;
  if (!msgs || typeof msgs !== 'object') throw new Error('not a qbXML request: no QBXML/QBXMLMsgsRq');
  const requests: Array<{ name: string; body: Node }> = [];
  for (const [name, value] of Object.entries(msgs)) {
    if (name.startsWith('@_')) continue;
    for (const rq of Array.isArray(value) ? value : [value])
      requests.push({ name, body: (rq ?? {}) as Node });
  }
  return {
    onError: String(msgs['@_onError'] ?? 'stopOnError'),
    ...(version ? { version } : {}),
    requests,
  };
}

/** Text of an element that may be absent, empty or a node. */
export const text = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const t = (v as Node)['#text'];
    return t === undefined ? undefined : String(t);
  }
  const s = String(v);
  return s === '' ? undefined : s;
};

/** The FullName / ListID of a reference element (CustomerRef, ItemRef…). */
export const ref = (v: unknown): { ListID?: string; FullName?: string } => {
  if (!v || typeof v !== 'object') return {};
  const n = v as Node;
  const id = text(Array.isArray(n.ListID) ? n.ListID[0] : n.ListID);
  const name = text(Array.isArray(n.FullName) ? n.FullName[0] : n.FullName);
  return { ...(id ? { ListID: id } : {}), ...(name ? { FullName: name } : {}) };
};

/** Drops keys whose value is undefined, keeping the order of the rest (the schema's order). */
export function ordered(entries: ReadonlyArray<readonly [string, unknown]>): Node {
  const out: Node = {};
  for (const [k, v] of entries) if (v !== undefined) out[k] = v;
  return out;
}
