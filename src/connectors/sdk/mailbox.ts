/**
 * The mailbox of a connection whose system cannot be called but calls us to collect its work — the
 * QuickBooks Web Connector polls Ledgerlink, asks for a request, runs it against the company file
 * and brings the answer back. Requests wait in the store (nothing is lost across restarts, and the
 * process serving the poller need not be the one that queued them), each under a key unique per
 * connection: queuing the same key again returns what is there, so a retry finds its request (or
 * its answer) instead of sending a second one.
 */
export type MailStatus = 'queued' | 'sent' | 'answered' | 'error';

export interface MailItem {
  id: number;
  key: string;
  request: string;
  /** Asking again is harmless (a query); otherwise the request is never sent twice without a person. */
  retrySafe: boolean;
  status: MailStatus;
  /** The answer as the system gave it (a qbXML response), when there is one. */
  response?: string;
  /** The system's own status code and message for the answer (qbXML statusCode / statusMessage). */
  statusCode?: number;
  statusMessage?: string;
  /** The session the request was handed to. */
  ticket?: string;
  createdAt: string;
  sentAt?: string;
  answeredAt?: string;
}

/** One session of the poller (a Web Connector ticket), or a login it was refused. */
export interface MailSession {
  ticket: string;
  username?: string;
  refused: boolean;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  closedAt?: string;
  /** What the poller told us about its side: the company file, country and qbXML version. */
  companyFile?: string;
  country?: string;
  version?: string;
  clientVersion?: string;
  /** Requests answered in this session. */
  answered: number;
  lastError?: string;
  /** Until when an empty hand-out is a pause (more work is expected) rather than the end. */
  waitUntil?: string;
}

export type SessionPatch = Partial<
  Pick<
    MailSession,
    | 'lastSeenAt'
    | 'expiresAt'
    | 'closedAt'
    | 'companyFile'
    | 'country'
    | 'version'
    | 'clientVersion'
    | 'lastError'
    | 'waitUntil'
  >
> & { answeredMore?: number };

export interface Answer {
  status: 'answered' | 'error';
  response?: string;
  statusCode?: number;
  statusMessage?: string;
}

export interface Mailbox {
  /**
   * Queues each request under its key unless the key holds one already; returns every key's row as
   * stored. A row the system refused (`error` with its own status code: nothing was written) is
   * queued again with the new request — the data may have been fixed; any other row stays as it is.
   */
  post(items: readonly { key: string; request: string; retrySafe?: boolean }[]): Promise<MailItem[]>;
  find(keys: readonly string[]): Promise<MailItem[]>;
  /** Takes back requests nobody collected (a reader that stopped waiting); sent ones stay. */
  withdraw(keys: readonly string[]): Promise<void>;
  /** The oldest queued request, handed to the session `ticket` (marked sent). */
  take(ticket: string): Promise<MailItem | undefined>;
  /** The request handed to `ticket` and not answered yet. */
  inFlight(ticket: string): Promise<MailItem | undefined>;
  settle(id: number, answer: Answer): Promise<void>;
  /**
   * Requests handed to a session that ended without answering them: retry-safe ones are queued
   * again; the others become errors a person must look at (QuickBooks may or may not have run them).
   */
  orphans(activeTicket?: string): Promise<void>;
  /** How many requests wait to be collected. */
  queued(): Promise<number>;
  openSession(s: {
    ticket: string;
    username: string;
    refused?: boolean;
    expiresAt: string;
    lastError?: string;
  }): Promise<void>;
  session(ticket: string): Promise<MailSession | undefined>;
  updateSession(ticket: string, patch: SessionPatch): Promise<void>;
  /** The session (or refused login) seen last. */
  lastSession(): Promise<MailSession | undefined>;
  /** The last session that was let in. */
  lastAccepted(): Promise<MailSession | undefined>;
}
