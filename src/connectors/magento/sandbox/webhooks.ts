import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where Adobe Commerce sends a webhook, and the headers configured on it (e.g. a shared token). */
export interface WebhookTarget {
  url: string;
  headers?: Record<string, string>;
}

/** One attempt at delivering one event to one target, as sent and as answered. */
export interface WebhookDelivery {
  url: string;
  headers: Record<string, string>;
  /** The raw body, exactly as signed and sent. */
  body: string;
  /** HTTP status of the answer; 0 when none came (refused, timed out). */
  status: number;
  /** 1 for the first try. */
  attempt: number;
  at: number;
  error?: string;
  /** The `op` of the answer's JSON body: Adobe Commerce counts only {"op": "success"} as delivered. */
  op?: string;
}

/** The header Adobe Commerce signs webhook bodies in (base64 of an RSA-SHA256 signature). */
export const SIGNATURE_HEADER = 'x-adobe-commerce-webhook-signature';

/** Retries after a failed delivery, and the waits before them. */
const RETRY_WAITS_MS = [50, 150, 400];
const TIMEOUT_MS = 2_000;

/**
 * Adobe Commerce webhooks as the sandbox sends them: `{"eventName": …, "data": {…}}`, the exact raw
 * body signed with the store's private key (the public half is what Stores › Settings ›
 * Configuration › Adobe Services › Webhooks shows, `publicKey` here). Deliveries leave after the API
 * call that caused them has answered, reach only the configured URLs, and are retried a few times
 * with a short backoff when the receiver fails, so a receiver sees each event at least once.
 */
export class WebhookSender {
  readonly log: WebhookDelivery[] = [];
  private pair?: { privateKey: KeyObject; publicKey: string };
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(readonly targets: WebhookTarget[] = []) {
    // A store with webhooks configured has its key from the start; others make one when first
    // asked (an RSA key takes a noticeable part of a second, and most sandboxes never sign).
    if (targets.length) this.keys();
  }

  private keys(): { privateKey: KeyObject; publicKey: string } {
    if (!this.pair) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      this.pair = { privateKey: pair.privateKey, publicKey };
    }
    return this.pair;
  }

  /** The PEM public key the signatures verify with; the same for the sandbox's lifetime. */
  get publicKey(): string {
    return this.keys().publicKey;
  }

  addTarget(t: WebhookTarget): void {
    this.keys();
    this.targets.push({ ...t });
  }

  /** Queues an event for every target; returns at once. */
  send(eventName: string, data: Record<string, unknown>): void {
    if (this.closed || this.targets.length === 0) return;
    // Serialised now: the body is the record as saved, whatever happens to it afterwards.
    const body = JSON.stringify({ eventName, data });
    // Adobe Commerce signs the body's base64 text, not its bytes.
    const signature = sign(
      'sha256',
      Buffer.from(Buffer.from(body).toString('base64')),
      this.keys().privateKey,
    ).toString('base64');
    for (const t of this.targets) {
      const headers = {
        ...t.headers,
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signature,
      };
      const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.deliver(t.url, headers, body))
        .finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  private async deliver(url: string, headers: Record<string, string>, body: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) return;
      const entry: WebhookDelivery = { url, headers, body, status: 0, attempt, at: Date.now() };
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        const text = await res.text();
        entry.status = res.status;
        try {
          const op = (JSON.parse(text) as { op?: unknown }).op;
          if (typeof op === 'string') entry.op = op;
        } catch {
          /* not JSON: not an answer Commerce understands */
        }
      } catch (e) {
        entry.error = e instanceof Error ? e.message : String(e);
      }
      this.log.push(entry);
      // Commerce reads the answer's operation: only 200 with {"op": "success"} is a delivery.
      // https://developer.adobe.com/commerce/extensibility/webhooks/responses/
      if (entry.status === 200 && entry.op === 'success') return;
      const wait = RETRY_WAITS_MS[attempt - 1];
      if (wait === undefined) return;
      await sleep(wait);
    }
  }

  /** Resolves once every queued delivery has been answered or has run out of retries. */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** Stops retrying and waits for what is in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
  }
}
