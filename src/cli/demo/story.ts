import type { Logger } from 'pino';
import type { Service } from '../../runtime/service.js';

/**
 * What a demo runs against: the systems, the configuration that connects them, and people at work
 * in them. The sandboxes' story (Acumatica ↔ Magento) is what `npm start` shows; the peers' story
 * runs the same engine against real Tryton and Vendure installations.
 */
export interface DemoStory {
  connections: Record<string, { connector: string; settings: Record<string, unknown> }>;
  flows: Record<string, Record<string, unknown>>;
  valueMaps?: Record<string, Array<Record<string, string>>>;
  /** Addresses for the banner and --json: system name → URL. */
  systems: Record<string, string>;
  /** Lines under the banner: what each system holds and how the flows run. */
  describe: string[];
  /** Once Ledgerlink serves: point webhooks at it, queue the first syncs. */
  started(svc: Service): Promise<void>;
  /** People acting in the systems every `everyMs`; returns how to stop them. */
  activity(logger: Logger, everyMs: number): () => void;
  close(): Promise<void>;
}

/** Each flow on a schedule, retried quickly: a demo shows failures coming back within seconds. */
export const scheduled = (schedule: string) => ({ schedule, retryBaseSeconds: 5 });
