import { LedgerlinkError } from '../sdk/errors.js';
import type { Mailbox, MailItem } from '../sdk/mailbox.js';

/** How often a waiting call looks in the mailbox for its answer. */
const LOOK_EVERY_MS = 100;

const settled = (r: MailItem) => r.status === 'answered' || r.status === 'error';

/**
 * Requests put in the mailbox for the Web Connector, and the wait for their answers — bounded: the
 * Web Connector comes when its schedule says, so a call waits at most `waitMs`, then says since
 * when it has not come.
 */
export class Postbox {
  constructor(
    readonly mailbox: Mailbox,
    private readonly waitMs: number,
  ) {}

  /**
   * Queues the requests (keys already there keep their request or answer) and waits until every one
   * is answered or the wait is over; returns each key's row as it then is.
   */
  async send(
    items: readonly { key: string; request: string; retrySafe?: boolean }[],
    signal?: AbortSignal,
  ): Promise<Map<string, MailItem>> {
    const rows = new Map((await this.mailbox.post(items)).map((r) => [r.key, r]));
    const deadline = Date.now() + this.waitMs;
    let open = [...rows.values()].filter((r) => !settled(r)).map((r) => r.key);
    while (open.length > 0 && Date.now() < deadline && !signal?.aborted) {
      await new Promise((r) => setTimeout(r, Math.min(LOOK_EVERY_MS, Math.max(1, deadline - Date.now()))));
      for (const r of await this.mailbox.find(open)) rows.set(r.key, r);
      open = open.filter((k) => !settled(rows.get(k)!));
    }
    return rows;
  }

  /** One query, answered or else a transient error (its request taken back if nobody collected it). */
  async ask(key: string, request: string, signal?: AbortSignal): Promise<MailItem> {
    const row = (await this.send([{ key, request, retrySafe: true }], signal)).get(key)!;
    if (settled(row)) return row;
    await this.mailbox.withdraw([key]);
    throw new LedgerlinkError({ code: 'timeout', category: 'transient', message: await this.notPolled() });
  }

  /** "queued for QuickBooks; the Web Connector has not polled since …", for a person. */
  async notPolled(): Promise<string> {
    const last = await this.mailbox.lastAccepted();
    const since = last ? `has not polled since ${last.lastSeenAt}` : 'has never polled';
    return `queued for QuickBooks; the Web Connector ${since} (it runs on its own schedule beside QuickBooks; check it is running)`;
  }
}
