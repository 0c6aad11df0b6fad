import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { SoapEndpoint } from '../sdk/contract.js';
import type { Mailbox, MailItem } from '../sdk/mailbox.js';
import { responsesOf } from './qbxml.js';
import { qwcFile } from './qwc.js';
import type { Settings } from './settings.js';
import { parseSoapCall, soapFault, soapResult } from './soap.js';

/** A ticket stays good this long after its last call (a session of many pages lasts minutes). */
export const TICKET_TTL_MS = 30 * 60_000;
/**
 * After an answer that leaves an iterator open, a reader is expected to queue the next page within
 * this time: until then an empty sendRequestXML is a pause ("NoOp", the Web Connector asks again 5 s
 * later), not the end of the session — a QuickBooks iterator does not outlive its session.
 */
export const ITERATOR_GRACE_MS = 30_000;
/**
 * The largest call the Web Connector makes: receiveResponseXML carrying one answer. A query page of
 * 100 invoices with their lines is some 300–600 KB of qbXML, escaped once more inside the envelope;
 * 8 MB leaves room for pages of several hundred records and refuses anything absurd unread.
 */
export const SOAP_BODY_LIMIT = 8 * 1024 * 1024;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
/** Compares in constant time whatever the lengths (both are hashed first). */
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export interface ServiceOptions {
  connection: string;
  settings: Settings;
  mailbox: Mailbox;
  logger: Logger;
  version: string;
  now?: () => number;
}

/**
 * The QuickBooks Web Connector's SOAP service for one connection (the callbacks of its Programmer's
 * Guide — FACTS.md): it logs in with the connection's user name and password, collects the requests
 * queued in the mailbox one by one and brings each answer back, which the mailbox keeps for the
 * connector waiting on it.
 */
export function webConnectorService(o: ServiceOptions): SoapEndpoint {
  const now = o.now ?? Date.now;
  const iso = (t = now()) => new Date(t).toISOString();
  const { mailbox, settings } = o;

  /** The session of a ticket while it is good; undefined when unknown, ended or expired. */
  const live = async (ticket: string) => {
    if (!ticket) return undefined;
    const s = await mailbox.session(ticket);
    if (!s || s.refused || s.closedAt || Date.parse(s.expiresAt) < now()) return undefined;
    await mailbox.updateSession(ticket, { lastSeenAt: iso(), expiresAt: iso(now() + TICKET_TTL_MS) });
    return s;
  };

  const methods: Record<
    string,
    (p: Record<string, string>, from: string) => Promise<string | number | string[]>
  > = {
    async serverVersion() {
      return `Ledgerlink ${o.version}`;
    },
    async clientVersion() {
      // Any Web Connector will do: "" lets it go on (W:<text> would warn, E:<text> refuse).
      return '';
    },
    async authenticate(p, from) {
      const ticket = randomUUID();
      const userOk = same(p.strUserName ?? '', settings.username);
      const passwordOk = same(p.strPassword ?? '', settings.password);
      if (!userOk || !passwordOk) {
        await mailbox.openSession({
          ticket,
          username: p.strUserName ?? '',
          refused: true,
          expiresAt: iso(),
          lastError: `the Web Connector's login as "${p.strUserName ?? ''}" was refused: the user name or password it sends is not this connection's (set the password in the Web Connector to the connection's)`,
        });
        o.logger.warn(
          { connection: o.connection, from, username: p.strUserName },
          'Web Connector login refused',
        );
        return [ticket, 'nvu'];
      }
      await mailbox.openSession({
        ticket,
        username: settings.username,
        expiresAt: iso(now() + TICKET_TTL_MS),
      });
      // Whatever an earlier session took and never answered is dealt with before this one starts.
      await mailbox.orphans(ticket);
      const waiting = await mailbox.queued();
      // "none": nothing to do, the Web Connector ends the session; else the company file to open
      // ("" = the one open in QuickBooks).
      return [ticket, waiting === 0 ? 'none' : (settings.companyFile ?? '')];
    },
    async sendRequestXML(p) {
      const s = await live(p.ticket ?? '');
      if (!s) return '';
      if (!s.companyFile && !s.version) {
        // The first call of a session says where the Web Connector is.
        await mailbox.updateSession(s.ticket, {
          companyFile: p.strCompanyFileName ?? '',
          country: p.qbXMLCountry ?? '',
          version: `${p.qbXMLMajorVers ?? '?'}.${p.qbXMLMinorVers ?? '?'}`,
        });
      }
      const pending = (await mailbox.inFlight(s.ticket)) ?? (await mailbox.take(s.ticket));
      if (pending) return pending.request;
      // Nothing queued. While a reader is expected to ask for its next page, getLastError answers
      // "NoOp" (keep waiting); after that, nothing more: the session ends.
      return '';
    },
    async receiveResponseXML(p) {
      const s = await live(p.ticket ?? '');
      if (!s) return -1;
      const request = await mailbox.inFlight(s.ticket);
      const hresult = p.hresult ?? '';
      if (!request) return percent(s.ticket, 0);
      if (hresult) {
        // QuickBooks could not run the request at all (a COM error): nothing was written.
        const message =
          `QuickBooks could not process ${request.key} (HRESULT ${hresult}): ${p.message ?? ''}`.trim();
        await mailbox.settle(request.id, { status: 'error', statusCode: -1, statusMessage: message });
        await mailbox.updateSession(s.ticket, { lastError: message, answeredMore: 1 });
        return -101;
      }
      return settleAnswer(s.ticket, request, p.response ?? '');
    },
    async connectionError(p) {
      const s = await live(p.ticket ?? '');
      const message = `the Web Connector could not reach QuickBooks (HRESULT ${p.hresult ?? ''}): ${p.message ?? ''}`;
      if (s) {
        await mailbox.updateSession(s.ticket, { lastError: message, closedAt: iso() });
        await mailbox.orphans();
      }
      o.logger.warn({ connection: o.connection, hresult: p.hresult }, message);
      return 'done';
    },
    async getLastError(p) {
      const s = await live(p.ticket ?? '');
      if (!s) return 'the session has ended or expired; the Web Connector will log in again on its next run';
      if (s.waitUntil && Date.parse(s.waitUntil) > now()) return 'NoOp';
      return s.lastError ?? '';
    },
    async closeConnection(p) {
      const s = await live(p.ticket ?? '');
      if (!s) return 'OK';
      await mailbox.updateSession(s.ticket, { closedAt: iso() });
      await mailbox.orphans();
      const after = await mailbox.session(s.ticket);
      return `OK: ${after?.answered ?? 0} request(s) answered`;
    },
  };

  async function settleAnswer(ticket: string, request: MailItem, response: string): Promise<number> {
    let statusCode: number | undefined;
    let statusMessage = '';
    let error = false;
    let iteratorOpen = false;
    try {
      const rs = responsesOf(response);
      const first = rs.find((r) => r.statusSeverity === 'Error') ?? rs[0];
      if (first) {
        statusCode = first.statusCode;
        statusMessage = first.statusMessage;
        error = first.statusSeverity === 'Error';
      }
      iteratorOpen = rs.some((r) => (r.iteratorRemainingCount ?? 0) > 0);
    } catch (e) {
      error = true;
      statusMessage = `the answer is not qbXML: ${(e as Error).message}`;
    }
    await mailbox.settle(request.id, {
      status: error ? 'error' : 'answered',
      response,
      ...(statusCode !== undefined ? { statusCode } : {}),
      statusMessage,
    });
    await mailbox.updateSession(ticket, {
      answeredMore: 1,
      ...(error ? { lastError: `${request.key}: ${statusCode ?? ''} ${statusMessage}`.trim() } : {}),
      // An open iterator keeps the session waiting for its next page; its last page ends the wait.
      waitUntil: iteratorOpen ? iso(now() + ITERATOR_GRACE_MS) : iso(),
    });
    // A refused record is the record's problem, not the session's: the session goes on.
    return percent(ticket, iteratorOpen ? 1 : 0);
  }

  /** How far the session is: 100 ends it (nothing queued and no reader expected back). */
  async function percent(ticket: string, expectMore: number): Promise<number> {
    const s = await mailbox.session(ticket);
    const queued = await mailbox.queued();
    const waiting = s?.waitUntil !== undefined && Date.parse(s.waitUntil) > now();
    if (queued === 0 && expectMore === 0 && !waiting) return 100;
    const done = s?.answered ?? 0;
    return Math.max(1, Math.min(99, Math.floor((100 * done) / (done + queued + 1))));
  }

  return {
    maxBodyBytes: SOAP_BODY_LIMIT,
    async handle(body, from) {
      let call: ReturnType<typeof parseSoapCall>;
      try {
        call = parseSoapCall(body);
      } catch (e) {
        return {
          status: 400,
          contentType: 'text/xml; charset=utf-8',
          body: soapFault('soap:Client', (e as Error).message),
        };
      }
      const method = methods[call.method];
      if (!method)
        return {
          status: 400,
          contentType: 'text/xml; charset=utf-8',
          body: soapFault('soap:Client', `the Web Connector service has no method "${call.method}"`),
        };
      const result = await method(call.params, from);
      return { status: 200, contentType: 'text/xml; charset=utf-8', body: soapResult(call.method, result) };
    },
    installFile() {
      return qwcFile(o.connection, settings);
    },
  };
}
