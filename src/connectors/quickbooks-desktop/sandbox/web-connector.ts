import { parseSoapResult, soapCall } from '../soap.js';
import type { QbxmlProcessor } from './processor.js';

export interface WebConnectorOptions {
  /** The SOAP address it polls (Ledgerlink's /qbwc/<connection>); it can be pointed later. */
  url?: string;
  username: string;
  password: string;
  /** The company file it reports (strCompanyFileName). */
  companyFile?: string;
  /** Between the end of one session and the start of the next (RunEveryNMinutes), in ms. */
  intervalMs?: number;
  /** The pause after getLastError answers "NoOp" (the Web Connector waits 5 s). */
  noOpPauseMs?: number;
  country?: string;
  version?: [number, number];
}

/** What happened in one session, for tests. */
export interface SessionRecord {
  ticket: string;
  authenticated: string;
  requests: number;
  closed?: string;
  error?: string;
}

/**
 * Plays the QuickBooks Web Connector: on its schedule it calls serverVersion, clientVersion and
 * authenticate, then sendRequestXML / receiveResponseXML until the service says 100 %, running
 * each request against the sandbox's company file, and closeConnection. Pausable ("the Web
 * Connector stopped polling"), and a session can be run on demand.
 */
export class WebConnectorClient {
  readonly sessions: SessionRecord[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<SessionRecord | undefined>;
  private paused = false;
  private stopped = true;
  /** Fail the next requests as if QuickBooks were closed (connectionError). */
  quickbooksClosed = false;

  constructor(
    private readonly o: WebConnectorOptions,
    private readonly processor: QbxmlProcessor,
  ) {}

  get url(): string | undefined {
    return this.o.url;
  }

  pointAt(url: string): void {
    this.o.url = url;
  }

  private async call(method: string, params: Record<string, string | number>): Promise<string | string[]> {
    const res = await fetch(this.o.url!, {
      method: 'POST',
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: `"http://developer.intuit.com/${method}"`,
      },
      body: soapCall(method, params),
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`${method}: HTTP ${res.status}: ${body.slice(0, 300)}`);
    return parseSoapResult(body).value;
  }

  /** One session, as the Web Connector runs it. */
  async runSession(): Promise<SessionRecord | undefined> {
    if (!this.o.url) return undefined;
    if (this.running) return this.running;
    this.running = this.session().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async session(): Promise<SessionRecord> {
    await this.call('serverVersion', {});
    await this.call('clientVersion', { strVersion: '2.3.0.215' });
    const auth = (await this.call('authenticate', {
      strUserName: this.o.username,
      strPassword: this.o.password,
    })) as string[];
    const [ticket = '', status = ''] = auth;
    const rec: SessionRecord = { ticket, authenticated: status, requests: 0 };
    this.sessions.push(rec);
    if (status === 'nvu' || status === 'none' || status === 'busy') return rec;
    if (this.quickbooksClosed) {
      rec.closed = String(
        await this.call('connectionError', {
          ticket,
          hresult: '0x80040408',
          message: 'Could not start QuickBooks.',
        }),
      );
      return rec;
    }
    const [major, minor] = this.o.version ?? [13, 0];
    let first = true;
    let noOps = 0;
    try {
      for (;;) {
        const request = String(
          await this.call('sendRequestXML', {
            ticket,
            strHCPResponse: first ? hostResponse(major, minor) : '',
            strCompanyFileName: this.o.companyFile ?? 'C:\\Company\\A1 Design Ltd.QBW',
            qbXMLCountry: this.o.country ?? 'UK',
            qbXMLMajorVers: major,
            qbXMLMinorVers: minor,
          }),
        );
        first = false;
        if (request === '') {
          const last = String(await this.call('getLastError', { ticket }));
          if (last === 'NoOp' && noOps++ < 1000) {
            await new Promise((r) => setTimeout(r, this.o.noOpPauseMs ?? 5000));
            continue;
          }
          if (last) rec.error = last;
          break;
        }
        noOps = 0;
        rec.requests++;
        let response = '';
        let hresult = '';
        let message = '';
        try {
          response = this.processor.process(request);
        } catch (e) {
          hresult = '0x80040400';
          message = (e as Error).message;
        }
        const percent = Number(await this.call('receiveResponseXML', { ticket, response, hresult, message }));
        if (percent < 0) {
          rec.error = String(await this.call('getLastError', { ticket }));
          break;
        }
        if (percent >= 100) break;
      }
    } finally {
      this.processor.endSession();
    }
    rec.closed = String(await this.call('closeConnection', { ticket }));
    return rec;
  }

  /** Polls on its interval until stopped (a session runs at once). */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      if (!this.paused && this.o.url) await this.runSession().catch(() => undefined);
      this.schedule(this.o.intervalMs ?? 200);
    }, ms);
    this.timer.unref?.();
  }

  /** "The Web Connector stops polling": no session starts until resume(). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule(0);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Stops polling and waits for a session in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}

/** The HostQuery / CompanyQuery / PreferencesQuery answer the Web Connector sends with the first request. */
function hostResponse(major: number, minor: number): string {
  return `<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><HostQueryRs requestID="1" statusCode="0" statusSeverity="Info" statusMessage="Status OK"><HostRet><ProductName>QuickBooks Pro 2024 (sandbox)</ProductName><MajorVersion>34</MajorVersion><MinorVersion>0</MinorVersion><Country>UK</Country><SupportedQBXMLVersion>${major}.${minor}</SupportedQBXMLVersion></HostRet></HostQueryRs></QBXMLMsgsRs></QBXML>`;
}
