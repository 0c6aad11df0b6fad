import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * The Web Connector's SOAP 1.1 envelopes (document/literal, namespace http://developer.intuit.com/,
 * as its WSDL declares — FACTS.md): a call is `<soap:Body><method><param>…</param></method>`, an
 * answer `<soap:Body><methodResponse><methodResult>…</methodResult></methodResponse>`, an array of
 * strings `<methodResult><string>…</string>…</methodResult>`.
 */
export const QBWC_NS = 'http://developer.intuit.com/';
const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  ignorePiTags: true,
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: false,
  processEntities: true,
  suppressEmptyNode: false,
});

export interface SoapCall {
  method: string;
  params: Record<string, string>;
}

/** Reads a SOAP call; throws an Error saying what is wrong when the body is not one. */
export function parseSoapCall(body: string): SoapCall {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(body) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`the body is not XML: ${(e as Error).message}`);
  }
  const env = doc.Envelope as Record<string, unknown> | undefined;
  const soapBody = env?.Body as Record<string, unknown> | undefined;
  if (!soapBody || typeof soapBody !== 'object') throw new Error('the body is not a SOAP envelope');
  const method = Object.keys(soapBody).find((k) => !k.startsWith('@_') && k !== '#text');
  if (!method) throw new Error('the SOAP body names no method');
  const raw = soapBody[method];
  const params: Record<string, string> = {};
  if (raw && typeof raw === 'object')
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (k === '#text') continue;
      params[k] = v === undefined || v === null ? '' : typeof v === 'object' ? '' : String(v);
    }
  return { method, params };
}

const envelope = (body: Record<string, unknown>): string =>
  builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    'soap:Envelope': {
      '@_xmlns:soap': SOAP_NS,
      '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      '@_xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
      'soap:Body': body,
    },
  }) as string;

/** The answer to `method`: a string, an int, or an array of strings. */
export function soapResult(method: string, result: string | number | readonly string[]): string {
  const value = Array.isArray(result) ? { string: [...result] } : String(result);
  return envelope({ [`${method}Response`]: { '@_xmlns': QBWC_NS, [`${method}Result`]: value } });
}

/** A SOAP call as the Web Connector sends it (the sandbox's client and the tests use this). */
export function soapCall(method: string, params: Record<string, string | number>): string {
  const p: Record<string, unknown> = { '@_xmlns': QBWC_NS };
  for (const [k, v] of Object.entries(params)) p[k] = String(v);
  return envelope({ [method]: p });
}

export function soapFault(code: 'soap:Client' | 'soap:Server', message: string): string {
  return envelope({ 'soap:Fault': { faultcode: code, faultstring: message } });
}

/** The result of a SOAP answer: its text, or its strings for an array. */
export function parseSoapResult(body: string): { method: string; value: string | string[] } {
  const doc = parser.parse(body) as Record<string, unknown>;
  const soapBody = (doc.Envelope as Record<string, unknown> | undefined)?.Body as
    | Record<string, unknown>
    | undefined;
  if (!soapBody) throw new Error('not a SOAP envelope');
  if (soapBody.Fault) {
    const f = soapBody.Fault as Record<string, unknown>;
    throw new Error(`SOAP fault ${String(f.faultcode)}: ${String(f.faultstring)}`);
  }
  const name = Object.keys(soapBody).find((k) => k.endsWith('Response'))!;
  const method = name.slice(0, -'Response'.length);
  const result = (soapBody[name] as Record<string, unknown>)[`${method}Result`];
  if (result && typeof result === 'object') {
    const s = (result as Record<string, unknown>).string;
    const list = s === undefined ? [] : Array.isArray(s) ? s : [s];
    return { method, value: list.map((x) => (typeof x === 'object' || x === undefined ? '' : String(x))) };
  }
  return { method, value: result === undefined || result === null ? '' : String(result) };
}
