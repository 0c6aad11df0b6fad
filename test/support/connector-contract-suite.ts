import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Connector, isWritten, type SourceItem } from '../../src/connectors/sdk/contract.js';
import type { SandboxKit } from '../../src/connectors/sdk/sandbox-kit.js';
import { type EntityName, entitySchemas } from '../../src/model/index.js';

/**
 * The one test suite every connector runs against its own sandbox. A connector passes when it
 * streams valid canonical records, honours incremental windows and id filters, finds records by
 * natural key, creates and updates (touching only the fields it is told to), reports record-level
 * problems as results rather than exceptions, and everything it sends and receives conforms to the
 * published spec.
 */
export interface ContractFixture {
  name: string;
  /**
   * Starts a fresh sandbox seeded with `count` records of each readable entity. A real system (a
   * peer such as Tryton) has no sandbox kit: its own server is the judge of the traffic.
   */
  start(count: number): Promise<{
    kit?: SandboxKit;
    connector: Connector;
    makeConnector(overrides?: Record<string, unknown>): Connector;
    close(): Promise<void>;
  }>;
  readable: EntityName[];
  writable: EntityName[];
  /** A valid canonical record this connector can create as a target. */
  sample(entity: EntityName, n: number): Record<string, unknown>;
  /** A change to an owned field, and the field's name. */
  change(
    entity: EntityName,
    record: Record<string, unknown>,
  ): { record: Record<string, unknown>; field: string };
  /** Reads the target's value of a canonical field for a written record (through its own API). */
  readBack(entity: EntityName, connector: Connector, targetId: string): Promise<Record<string, unknown>>;
  /** Canonical field that a connector must leave alone when not owned (written on create only). */
  unownedField(entity: EntityName): string;
  /** Settings that make authentication fail. */
  badCredentials: Record<string, unknown>;
}

async function collect(it: AsyncIterable<SourceItem[]>): Promise<{ items: SourceItem[]; pages: number[] }> {
  const items: SourceItem[] = [];
  const pages: number[] = [];
  for await (const page of it) {
    pages.push(page.length);
    items.push(...page);
  }
  return { items, pages };
}

export function connectorContractSuite(f: ContractFixture): void {
  describe(`connector contract: ${f.name}`, () => {
    let env: Awaited<ReturnType<ContractFixture['start']>>;
    const COUNT = 45;

    beforeAll(async () => {
      env = await f.start(COUNT);
    });
    afterAll(async () => {
      await env.connector.close();
      if (env.kit) expect(env.kit.violations, 'traffic that departs from the published spec').toEqual([]);
      await env.close();
    });

    it('check() reports reachability and credentials as separate verdicts', async () => {
      const results = await env.connector.check();
      expect(results.length).toBeGreaterThan(0);
      expect(results.filter((r) => !r.ok)).toEqual([]);
    });

    it('check() with bad credentials says so instead of throwing', async () => {
      const bad = env.makeConnector(f.badCredentials);
      const results = await bad.check();
      await bad.close();
      const failed = results.filter((r) => !r.ok);
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.map((r) => r.message).join(' ')).toMatch(
        /credential|password|token|unauthori|login|auth/i,
      );
    });

    for (const entity of f.readable) {
      describe(`read ${entity}`, () => {
        it('streams every record in pages no larger than asked, each a valid canonical record', async () => {
          const { items, pages } = await collect(env.connector.read(entity, { pageSize: 10 }));
          expect(items.length).toBe(COUNT);
          expect(pages.every((n) => n <= 10)).toBe(true);
          expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(COUNT / 10));
          expect(new Set(items.map((i) => i.id)).size).toBe(COUNT);
          for (const item of items) {
            expect(item.error).toBeUndefined();
            const parsed = entitySchemas[entity].safeParse(item.data);
            expect(parsed.success, `${item.id}: ${parsed.error?.message}`).toBe(true);
            expect(Number.isNaN(Date.parse(item.updatedAt))).toBe(false);
          }
        });

        it('since is inclusive: records sharing the boundary timestamp are returned', async () => {
          const { items } = await collect(env.connector.read(entity, { pageSize: 50 }));
          const stamps = items.map((i) => i.updatedAt).sort();
          const boundary = stamps[Math.floor(stamps.length / 2)]!;
          const expected = items
            .filter((i) => Date.parse(i.updatedAt) >= Date.parse(boundary))
            .map((i) => i.id)
            .sort();
          const { items: got } = await collect(env.connector.read(entity, { since: boundary, pageSize: 7 }));
          expect(got.map((i) => i.id).sort()).toEqual(expected);
        });

        it('reads specific ids, and get() returns them while ignoring unknown ids', async () => {
          const { items } = await collect(env.connector.read(entity, { pageSize: 50 }));
          const ids = items.slice(0, 3).map((i) => i.id);
          const { items: byIds } = await collect(env.connector.read(entity, { ids }));
          expect(byIds.map((i) => i.id).sort()).toEqual([...ids].sort());
          const got = await env.connector.get(entity, [...ids, 'NO-SUCH-ID-42']);
          expect(got.map((i) => i.id).sort()).toEqual([...ids].sort());
        });
      });
    }

    for (const entity of f.writable) {
      describe(`write ${entity}`, () => {
        it('creates, finds by natural key, and updates only the owned field', async () => {
          const record = f.sample(entity, 1);
          const key = env.connector.naturalKey(entity, record);
          expect(key).toBeTruthy();
          expect((await env.connector.lookup(entity, [key!])).size).toBe(0);

          const [created] = await env.connector.write(entity, [
            { ref: 'r1', action: 'create', data: record },
          ]);
          expect(created?.ok, JSON.stringify(created)).toBe(true);
          if (!isWritten(created)) return;

          const found = await env.connector.lookup(entity, [key!]);
          expect(found.get(key!)?.id).toBe(created.targetId);

          const unowned = f.unownedField(entity);
          const before = await f.readBack(entity, env.connector, created.targetId);
          const { record: changed, field } = f.change(entity, {
            ...record,
            [unowned]: `changed-${Date.now()}`,
          });
          const [updated] = await env.connector.write(entity, [
            {
              ref: 'r1',
              action: 'update',
              targetId: created.targetId,
              data: changed,
              fields: [field],
              existing: found.get(key!)!,
            },
          ]);
          expect(updated?.ok, JSON.stringify(updated)).toBe(true);
          const after = await f.readBack(entity, env.connector, created.targetId);
          expect(after[field]).toEqual((changed as Record<string, unknown>)[field]);
          expect(after[unowned]).toEqual(before[unowned]);
        });

        it('reports a record the target refuses as a result with a reason, never an exception', async () => {
          const record = f.sample(entity, 2);
          const key = env.connector.naturalKey(entity, record)!;
          const [first] = await env.connector.write(entity, [{ ref: 'a', action: 'create', data: record }]);
          expect(first?.ok).toBe(true);
          // Creating the same natural key again is refused by the target (duplicate).
          const results = await env.connector.write(entity, [{ ref: 'b', action: 'create', data: record }]);
          const again = await env.connector.lookup(entity, [key]);
          expect(again.size).toBe(1);
          if (results[0]?.ok === false) {
            expect(results[0].error.category).toBe('rejected');
            expect(results[0].error.message.length).toBeGreaterThan(10);
          } else {
            // Some APIs upsert by natural key (Magento PUT /V1/products/{sku}); then it must be the same record.
            expect(results[0]?.ok && results[0].targetId).toBe(first?.ok && first.targetId);
          }
        });
      });
    }
  });
}
