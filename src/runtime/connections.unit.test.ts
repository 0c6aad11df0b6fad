import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ConfiguredConnection } from '../config/load.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import type { ConnectorContext, ConnectorDefinition } from '../connectors/sdk/contract.js';
import type { RateLimit } from '../connectors/sdk/manifest.js';
import { ConnectionLimiter } from '../connectors/sdk/rate-limit.js';
import { ConnectorSet } from './connections.js';

describe('the budgets a connector is lent', () => {
  it('its connection budget, and a further one per purpose under "<connection>:<purpose>", both from the runtime', () => {
    let lent: ConnectorContext | undefined;
    const definition = {
      manifest: new MemoryConnector('Memory').manifest,
      create: (_settings: Record<string, unknown>, ctx: ConnectorContext) => {
        lent = ctx;
        return new MemoryConnector('Memory');
      },
    } as unknown as ConnectorDefinition;
    const conf: ConfiguredConnection = {
      name: 'qbo',
      definition,
      settings: {},
      rateLimit: { concurrency: 10 },
    };
    const asked: Array<[string, RateLimit]> = [];
    const set = new ConnectorSet(
      new Map([['qbo', conf]]),
      pino({ level: 'silent' }),
      undefined,
      new Map(),
      (c, l) => {
        asked.push([c, l]);
        return new ConnectionLimiter(l);
      },
    );
    set.get('qbo');
    expect(lent?.limiter).toBeDefined();
    lent?.budgetFor?.('batch', { requestsPerMinute: 40 });
    expect(asked).toEqual([
      ['qbo', { concurrency: 10 }],
      ['qbo:batch', { requestsPerMinute: 40 }],
    ]);
  });
});
