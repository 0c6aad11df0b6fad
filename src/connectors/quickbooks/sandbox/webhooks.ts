import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { SIGNATURE_HEADER, signBody } from '../webhook.js';
import type { SavedChange } from './store.js';

export interface WebhookDelivery {
  url: string;
  body: string;
  signature: string;
  status: number;
  error?: string;
}

/**
 * Intuit's webhook sender: a POST per change to the app's endpoint, the raw body signed with the
 * verifier token in `intuit-signature`; the original payload format or the CloudEvents one.
 */
export class WebhookSender {
  readonly log: WebhookDelivery[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    readonly o: { url?: string; verifierToken: string; realmId: string; format: 'legacy' | 'cloudevents' },
  ) {}

  body(changes: readonly SavedChange[]): string {
    if (this.o.format === 'cloudevents')
      return JSON.stringify(
        changes.map((c) => ({
          specversion: '1.0',
          id: randomUUID(),
          source: 'intuit.quickbooks',
          type: `qbo.${c.entity.toLowerCase()}.${c.operation === 'Create' ? 'created' : 'updated'}.v1`,
          datacontenttype: 'application/json',
          time: c.record.MetaData?.LastUpdatedTime,
          intuitentityid: c.record.Id,
          intuitaccountid: this.o.realmId,
          data: {},
        })),
      );
    return JSON.stringify({
      eventNotifications: [
        {
          realmId: this.o.realmId,
          dataChangeEvent: {
            entities: changes.map((c) => ({
              name: c.entity,
              id: c.record.Id,
              operation: c.operation,
              lastUpdated: c.record.MetaData?.LastUpdatedTime,
            })),
          },
        },
      ],
    });
  }

  send(change: SavedChange): void {
    if (!this.o.url || change.entity === 'Account') return;
    const url = this.o.url;
    const body = this.body([change]);
    const signature = signBody(body, this.o.verifierToken);
    const p = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
      body,
    })
      .then(async (res) => {
        await res.body.text();
        this.log.push({ url, body, signature, status: res.statusCode });
      })
      .catch((e: Error) => {
        this.log.push({ url, body, signature, status: 0, error: e.message });
      });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }
}
