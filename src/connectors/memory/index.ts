import type { EntityName } from '../../model/index.js';
import type {
  Connector,
  InboundDelivery,
  ReadQuery,
  SourceItem,
  TargetRecord,
  WebhookEvent,
  WebhookHandler,
  WriteItem,
  WriteResult,
} from '../sdk/contract.js';
import { type ErrorData, type LedgerlinkError, rejected } from '../sdk/errors.js';
import type { ConnectorManifest } from '../sdk/manifest.js';

interface Stored {
  id: string;
  updatedAt: string;
  data: Record<string, unknown>;
}

const KEY_FIELD: Partial<Record<EntityName, string>> = { customer: 'number', product: 'sku' };
const NATURAL: Partial<Record<EntityName, string>> = { customer: 'email', product: 'sku' };

/**
 * A connector over in-process maps: the engine's tests and the engine-overhead benchmark use it so
 * that they measure Ledgerlink, not HTTP. It behaves like a well-mannered API: pages, inclusive
 * `since`, natural-key lookup, partial updates of exactly the fields asked for, and injectable faults.
 */
export class MemoryConnector implements Connector {
  readonly records = new Map<EntityName, Map<string, Stored>>();
  readonly calls = { read: 0, get: 0, lookup: 0, create: 0, update: 0 };
  /** Every write item received, in order (tests look at what the engine sent: data, fields, refs). */
  readonly writes: Array<{ entity: EntityName; item: WriteItem }> = [];
  /** Errors the next writes answer with, one per record, in order. */
  readonly writeFaults: ErrorData[] = [];
  /** Set to play a source that keeps its own change token (Dataverse's delta links). */
  changedSince?: Connector['changedSince'];
  /** Throw this from every call until cleared (a system that is down). */
  down?: LedgerlinkError;
  /** Refuse records for which this returns a message (a validation rule of the target). */
  rejectWhen?: (entity: EntityName, data: Record<string, unknown>) => string | undefined;
  /**
   * Answer a write item itself instead of storing it (a target that skips a change, or settles only
   * some owned fields): whatever this returns is the item's result.
   */
  answer?: (entity: EntityName, item: WriteItem) => WriteResult | undefined;
  private nextId = 1;
  /** When set, webhook deliveries must carry it in x-memory-secret. */
  webhookSecret?: string;

  readonly manifest: ConnectorManifest;

  /**
   * Deliveries are {"id": "<delivery id>", "events": [{"entity": "customer", "id": "C1"}]}: enough to
   * test the inbox without any real system's format.
   */
  readonly webhook: WebhookHandler = {
    verify: (d: InboundDelivery) =>
      this.webhookSecret === undefined || d.headers['x-memory-secret'] === this.webhookSecret
        ? undefined
        : 'x-memory-secret does not match the connection’s webhook secret',
    deliveryId: (d: InboundDelivery) => {
      const id = (safeJson(d.rawBody) as { id?: unknown } | undefined)?.id;
      return typeof id === 'string' ? id : undefined;
    },
    parse: (d: InboundDelivery): WebhookEvent[] => {
      const body = safeJson(d.rawBody) as { events?: unknown } | undefined;
      if (!Array.isArray(body?.events)) throw rejected('parse', 'a memory webhook has an "events" list');
      // Each event as the contract has it, or the delivery is unreadable: the inbox's job reads
      // ev.entity of every event it stored, and one null among them stopped every delivery after it.
      return body.events.map((ev: unknown, i): WebhookEvent => {
        const e = ev as Partial<Record<keyof WebhookEvent, unknown>> | null;
        if (!e || typeof e !== 'object' || typeof e.entity !== 'string' || typeof e.id !== 'string' || !e.id)
          throw rejected('parse', `events[${i}] of a memory webhook is not {"entity": …, "id": …}`);
        return {
          entity: e.entity as EntityName,
          id: e.id,
          ...(e.kind === 'upsert' || e.kind === 'delete' ? { kind: e.kind } : {}),
          ...(typeof e.occurredAt === 'string' ? { occurredAt: e.occurredAt } : {}),
        };
      });
    },
  };

  constructor(title = 'Memory') {
    this.manifest = {
      name: 'memory',
      title,
      connectionFields: [],
      triggers: ['poll', 'batch'],
      entities: Object.fromEntries(
        (['customer', 'product', 'salesOrder', 'shipment', 'invoice', 'payment'] as const).map((e) => [
          e,
          {
            read: { cursorField: 'updatedAt', filters: [] },
            write: { naturalKey: NATURAL[e] ?? 'number', updatableFields: ['*'] },
          },
        ]),
      ),
    };
  }

  private table(entity: EntityName): Map<string, Stored> {
    let t = this.records.get(entity);
    if (!t) {
      t = new Map();
      this.records.set(entity, t);
    }
    return t;
  }

  /** Puts a source record in place, as if someone saved it in the system. */
  put(entity: EntityName, data: Record<string, unknown>, updatedAt = new Date().toISOString()): void {
    const id = String(data[KEY_FIELD[entity] ?? 'number']);
    this.table(entity).set(id, { id, updatedAt, data: { ...data, updatedAt } });
  }

  private guard(): void {
    if (this.down) throw this.down;
  }

  async check() {
    return [{ name: 'reach', ok: !this.down, message: this.down ? this.down.message : 'in-process' }];
  }

  async count(entity: EntityName, query: ReadQuery): Promise<number> {
    return this.select(entity, query).length;
  }

  private select(entity: EntityName, query: ReadQuery): Stored[] {
    const ids = query.ids ? new Set(query.ids) : undefined;
    return [...this.table(entity).values()]
      .filter(
        (r) =>
          (!query.since || r.updatedAt >= query.since) &&
          (!query.until || r.updatedAt <= query.until) &&
          (!ids || ids.has(r.id)),
      )
      .sort((a, b) =>
        a.updatedAt === b.updatedAt ? (a.id < b.id ? -1 : 1) : a.updatedAt < b.updatedAt ? -1 : 1,
      );
  }

  async *read(entity: EntityName, query: ReadQuery): AsyncIterable<SourceItem[]> {
    const size = query.pageSize ?? 100;
    const all = this.select(entity, query);
    for (let i = 0; i < all.length; i += size) {
      this.guard();
      this.calls.read++;
      yield all
        .slice(i, i + size)
        .map((r) => ({ id: r.id, updatedAt: r.updatedAt, data: structuredClone(r.data) }));
    }
  }

  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    this.guard();
    this.calls.get++;
    const t = this.table(entity);
    return ids.flatMap((id) => {
      const r = t.get(id);
      return r ? [{ id: r.id, updatedAt: r.updatedAt, data: structuredClone(r.data) }] : [];
    });
  }

  naturalKey(entity: EntityName, data: unknown): string | undefined {
    const v = (data as Record<string, unknown>)[NATURAL[entity] ?? 'number'];
    return typeof v === 'string' && v ? v.toLowerCase() : undefined;
  }

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    this.guard();
    this.calls.lookup++;
    const wanted = new Set(keys);
    const out = new Map<string, TargetRecord>();
    for (const r of this.table(entity).values()) {
      const k = this.naturalKey(entity, r.data);
      if (k && wanted.has(k)) out.set(k, { id: r.id, snapshot: structuredClone(r.data) });
    }
    return out;
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    this.guard();
    const t = this.table(entity);
    for (const item of items) this.writes.push({ entity, item: structuredClone(item) });
    return items.map((item): WriteResult => {
      const fault = this.writeFaults.shift();
      if (fault) return { ref: item.ref, ok: false, error: fault };
      const answered = this.answer?.(entity, item);
      if (answered) return answered;
      const data = item.data as Record<string, unknown>;
      const refusal = this.rejectWhen?.(entity, data);
      if (refusal)
        return {
          ref: item.ref,
          ok: false,
          error: { code: 'invalid_data', category: 'rejected', message: refusal, httpStatus: 400 },
        };
      const now = new Date().toISOString();
      if (item.action === 'create') {
        this.calls.create++;
        const key = this.naturalKey(entity, data);
        for (const r of t.values()) {
          if (key && this.naturalKey(entity, r.data) === key) {
            return {
              ref: item.ref,
              ok: false,
              error: {
                code: 'duplicate',
                category: 'rejected',
                message: `a record with ${key} already exists`,
              },
            };
          }
        }
        const id = `T${this.nextId++}`;
        t.set(id, { id, updatedAt: now, data: structuredClone(data) });
        return { ref: item.ref, ok: true, targetId: id, action: 'created' };
      }
      this.calls.update++;
      const existing = t.get(item.targetId!);
      if (!existing) {
        return {
          ref: item.ref,
          ok: false,
          error: {
            code: 'not_found',
            category: 'rejected',
            message: `no record ${item.targetId}`,
            httpStatus: 404,
          },
        };
      }
      for (const f of item.fields ?? []) existing.data[f] = structuredClone(data[f]);
      existing.updatedAt = now;
      return { ref: item.ref, ok: true, targetId: existing.id, action: 'updated' };
    });
  }

  async close(): Promise<void> {}
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
