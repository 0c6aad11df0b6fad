import type {
  Connector,
  ReadQuery,
  SourceItem,
  TargetRecord,
  WriteItem,
  WriteResult,
} from '../src/connectors/sdk/contract.js';
import type { ConnectorManifest } from '../src/connectors/sdk/manifest.js';
import type { EntityName } from '../src/model/index.js';

/**
 * In-process connectors for the benchmarks that measure Ledgerlink itself. The source makes its
 * records up page by page (nothing is held, so a million records cost no memory of ours), ordered by
 * `updatedAt`, one second apart; `since` is answered by arithmetic, as a database index would.
 */
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

const manifest = (title: string): ConnectorManifest => ({
  name: 'memory',
  title,
  connectionFields: [],
  triggers: ['poll', 'batch'],
  entities: {
    customer: {
      read: { cursorField: 'updatedAt', filters: [] },
      write: { naturalKey: 'email', updatableFields: ['*'] },
    },
  },
});

export function syntheticCustomer(i: number): SourceItem {
  const number = `C${String(i).padStart(7, '0')}`;
  const updatedAt = new Date(T0 + i * 1000).toISOString();
  return {
    id: number,
    updatedAt,
    data: {
      number,
      name: `Customer ${i}`,
      email: `c${i}@example.com`,
      currency: 'USD',
      creditLimit: { amount: `${1000 + (i % 5000)}.00`, currency: 'USD' },
      onHold: false,
      addresses: [{ kind: 'main', line1: `${i} Main St`, city: 'Springfield', country: 'US' }],
      updatedAt,
    },
  };
}

export class SyntheticSource implements Connector {
  readonly manifest = manifest('Synthetic source');
  calls = 0;
  constructor(readonly size: number) {}

  async check() {
    return [{ name: 'reach', ok: true, message: 'in-process' }];
  }

  private firstIndex(since?: string): number {
    if (!since) return 0;
    return Math.max(0, Math.ceil((Date.parse(since) - T0) / 1000));
  }

  async count(_e: EntityName, query: ReadQuery): Promise<number> {
    return Math.max(0, this.size - this.firstIndex(query.since));
  }

  async *read(_e: EntityName, query: ReadQuery): AsyncIterable<SourceItem[]> {
    const size = query.pageSize ?? 100;
    if (query.ids) {
      yield await this.get(_e, query.ids);
      return;
    }
    for (let i = this.firstIndex(query.since); i < this.size; i += size) {
      this.calls++;
      const page: SourceItem[] = [];
      for (let j = i; j < Math.min(i + size, this.size); j++) page.push(syntheticCustomer(j));
      yield page;
    }
  }

  async get(_e: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    this.calls++;
    return ids.map((id) => syntheticCustomer(Number(id.slice(1))));
  }

  naturalKey(_e: EntityName, data: unknown): string | undefined {
    const v = (data as { email?: unknown }).email;
    return typeof v === 'string' ? v.toLowerCase() : undefined;
  }

  async lookup(): Promise<Map<string, TargetRecord>> {
    return new Map();
  }

  async write(_e: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    return items.map((i) => ({ ref: i.ref, ok: true, targetId: i.ref, action: 'updated' }));
  }

  async close(): Promise<void> {}
}

/** A target that answers at once and keeps only counts: what is measured is the engine around it. */
export class CountingTarget implements Connector {
  readonly manifest = manifest('Counting target');
  readonly calls = { lookup: 0, write: 0, created: 0, updated: 0 };

  async check() {
    return [{ name: 'reach', ok: true, message: 'in-process' }];
  }

  // biome-ignore lint/correctness/useYield: a target only
  async *read(): AsyncIterable<SourceItem[]> {
    return;
  }

  async get(): Promise<SourceItem[]> {
    return [];
  }

  naturalKey(_e: EntityName, data: unknown): string | undefined {
    const v = (data as { email?: unknown }).email;
    return typeof v === 'string' ? v.toLowerCase() : undefined;
  }

  async lookup(): Promise<Map<string, TargetRecord>> {
    this.calls.lookup++;
    return new Map();
  }

  async write(_e: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    this.calls.write++;
    return items.map((i) => {
      if (i.action === 'create') this.calls.created++;
      else this.calls.updated++;
      return {
        ref: i.ref,
        ok: true,
        targetId: `T${i.ref}`,
        action: i.action === 'create' ? 'created' : 'updated',
      };
    });
  }

  targetCalls(): number {
    return this.calls.lookup + this.calls.write;
  }

  async close(): Promise<void> {}
}
