import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';

/**
 * Acumatica's push notifications: a generic inquiry watched for changes, and for every transaction
 * that changes its rows one POST to each destination with the rows as they were (Deleted) and as
 * they are (Inserted). Destinations of type Webhook carry one configured header.
 */
export interface PushDestination {
  url: string;
  headerName?: string;
  headerValue?: string;
}

/** A generic-inquiry row: flat columns with plain values. */
export type PushRow = Record<string, string | number | boolean | null>;

export interface PushBody {
  Inserted: PushRow[];
  Deleted: PushRow[];
  Query: string;
  CompanyId: string;
  Id: string;
  TimeStamp: number;
  AdditionalInfo: Record<string, unknown>;
}

/** One attempt to deliver one notification to one destination. */
export interface PushDelivery {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** HTTP status of the answer; 0 when the destination could not be reached. */
  status: number;
  attempt: number;
  error?: string;
}

/** The inquiry names the sandbox pushes under, by the resource whose rows they list. */
export const PUSH_QUERIES = {
  SalesOrder: 'LL-SalesOrders',
  Shipment: 'LL-Shipments',
  SalesInvoice: 'LL-SalesInvoices',
  Payment: 'LL-Payments',
  Customer: 'LL-Customers',
  StockItem: 'LL-StockItems',
} as const;

export type PushResource = keyof typeof PUSH_QUERIES;

/** Retries after a failed delivery, and the wait before each. */
const BACKOFF_MS = [50, 150, 400];
const DELIVERY_TIMEOUT_MS = 2_000;

export class PushNotifier {
  readonly destinations: PushDestination[];
  readonly log: PushDelivery[] = [];
  private stamp = 0;
  /** Notifications raised while an API call is answered wait for its answer to be sent. */
  private readonly scope = new AsyncLocalStorage<PushBody[]>();
  private readonly lanes = new Map<string, Promise<void>>();

  constructor(
    destinations: readonly PushDestination[],
    private readonly companyId: string,
  ) {
    this.destinations = destinations.map((d) => ({ ...d }));
  }

  /** A saved change of one record: the row before (absent for a new record) and after. */
  changed(resource: PushResource, before: PushRow | undefined, after: PushRow): void {
    if (this.destinations.length === 0) return;
    // A strictly increasing number per transaction, as Acumatica's database timestamp is.
    this.stamp = Math.max(this.stamp + 1, Date.now());
    const body: PushBody = {
      Inserted: [after],
      Deleted: before ? [before] : [],
      Query: PUSH_QUERIES[resource],
      CompanyId: this.companyId,
      Id: randomUUID(),
      TimeStamp: this.stamp,
      AdditionalInfo: {},
    };
    const pending = this.scope.getStore();
    if (pending) pending.push(body);
    else setImmediate(() => this.send([body]));
  }

  /**
   * Runs an API call's handler; what it changes is pushed only once its answer has gone out, so a
   * push never blocks a call, nor reaches a listener before the call that caused it has answered.
   */
  async during<T>(reply: FastifyReply, handler: () => Promise<T>): Promise<T> {
    const pending: PushBody[] = [];
    try {
      return await this.scope.run(pending, handler);
    } finally {
      if (pending.length) {
        let sent = false;
        const go = () => {
          if (sent) return;
          sent = true;
          this.send(pending);
        };
        if (reply.raw.writableFinished) setImmediate(go);
        else {
          reply.raw.once('finish', go);
          reply.raw.once('close', go);
        }
      }
    }
  }

  /** Resolves when every notification raised so far has been delivered or given up on. */
  async idle(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    for (;;) {
      const lanes = [...this.lanes.values()];
      await Promise.all(lanes);
      const now = [...this.lanes.values()];
      if (now.length === lanes.length && now.every((l, i) => l === lanes[i])) return;
    }
  }

  private send(bodies: readonly PushBody[]): void {
    for (const d of this.destinations) {
      // One lane per destination: notifications arrive in the order the changes were made.
      const prev = this.lanes.get(d.url) ?? Promise.resolve();
      const next = prev.then(async () => {
        for (const b of bodies) await this.deliver(d, JSON.stringify(b));
      });
      this.lanes.set(d.url, next);
    }
  }

  private async deliver(d: PushDestination, body: string): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (d.headerName && d.headerValue !== undefined) headers[d.headerName] = d.headerValue;
    for (let attempt = 0; attempt <= BACKOFF_MS.length; attempt++) {
      if (attempt > 0) await sleep(BACKOFF_MS[attempt - 1]);
      const entry: PushDelivery = { url: d.url, headers, body, status: 0, attempt };
      try {
        const res = await fetch(d.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        });
        await res.arrayBuffer().catch(() => undefined);
        entry.status = res.status;
      } catch (e) {
        entry.error = e instanceof Error ? e.message : String(e);
      }
      this.log.push(entry);
      if (entry.status >= 200 && entry.status < 300) return;
    }
  }
}
