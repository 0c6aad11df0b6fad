import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { linkRow } from '../../test/support/store-rows.js';
import { emptyCounts, openStore, type Store } from './index.js';
import { RecordLocks } from './repositories/record-locks.js';

const counts = (o: Partial<ReturnType<typeof emptyCounts>>) => ({ ...emptyCounts(), ...o });

/** A page's body to hold records with: `entered` once inside, it ends when `gate` is let go (`release`). */
const holding = () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let entered!: () => void;
  const inside = new Promise<void>((r) => {
    entered = r;
  });
  return { gate, release, inside, entered };
};

// A run shared by workers (its reader queues pages, each page job adds its counts) on both dialects.
describe.each(DIALECTS)('shared runs on %s', (dialect) => {
  let tdb: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
    store = await openStore(tdb.url);
  });
  afterAll(async () => {
    await store.close();
    await tdb.drop();
  });

  const start = () =>
    store.runs.start({ flow: 'f', trigger: 'manual', mode: 'process', filter: {}, owner: 'me' });

  it('counts a page once however often its job runs, and ends the run once, when the last page is in', async () => {
    const id = await start();
    expect(await store.runs.pageDone(id, 1, counts({ read: 10, created: 9, failed: 1 }), 'w1')).toBe(
      'counted',
    );
    // The same page again (its worker died after the work): not counted twice.
    expect(await store.runs.pageDone(id, 1, counts({ read: 10, unchanged: 10 }), 'w2')).toBe('again');
    // Pages done before the reader said how many there are: the run cannot end yet.
    expect(await store.runs.finishShared(id)).toBeUndefined();
    await store.runs.pagesQueued(id, 2, '2026-11-24T08:00:00.000Z');
    expect(await store.runs.finishShared(id)).toBeUndefined();
    // The last page says so: its job ends the run.
    expect(await store.runs.pageDone(id, 2, counts({ read: 5, updated: 5 }), 'w2')).toBe('last');
    const ended = await store.runs.finishShared(id);
    expect(ended?.counts).toEqual(counts({ read: 15, created: 9, updated: 5, failed: 1 }));
    expect(ended?.run).toMatchObject({
      status: 'completed_with_failures',
      cursor_next: '2026-11-24T08:00:00.000Z',
    });
    // Whoever comes second does not end it again.
    expect(await store.runs.finishShared(id)).toBeUndefined();
    expect(await store.runs.get(id)).toMatchObject({ status: 'completed_with_failures', read_count: 15 });
    expect((await store.runs.pages(id)).map((p) => [p.page_no, p.worker])).toEqual([
      [1, 'w1'],
      [2, 'w2'],
    ]);
  });

  it('a page given up keeps the cursor where it is, even if the reader finishes after it', async () => {
    const id = await start();
    await store.runs.keepCursor(id, 'page 1 could not be processed: the store refused');
    await store.runs.pagesQueued(id, 1, '2026-11-24T09:00:00.000Z');
    await store.runs.pageDone(id, 1, counts({ read: 3, failed: 3 }), 'w1');
    const ended = await store.runs.finishShared(id);
    expect(ended?.run.cursor_next).toBeNull();
  });

  it('a shared run waiting for its pages is not closed as abandoned; a silent one-process run is', async () => {
    const shared = await start();
    await store.runs.pagesQueued(shared, 3, undefined);
    const single = await start();
    const soon = new Date(Date.now() + 1000).toISOString();
    await store.runs.closeAbandoned(soon, new Date(Date.now() - 60_000).toISOString());
    expect((await store.runs.get(shared))?.status).toBe('running');
    expect((await store.runs.get(single))?.status).toBe('failed');
    await store.runs.closeAbandoned(soon, soon);
    expect((await store.runs.get(shared))?.status).toBe('failed');
  });

  it('record locks: the same record is held by one page at a time; other records go on', async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const first = store.recordLocks.hold('f', ['a', 'b'], async () => {
      events.push('first in');
      await gate;
      events.push('first out');
    });
    await new Promise((r) => setTimeout(r, 100));
    const other = store.recordLocks.hold('f', ['c'], async () => {
      events.push('other');
    });
    await other;
    const second = store.recordLocks.hold('f', ['b', 'd'], async () => {
      events.push('second in');
    });
    await new Promise((r) => setTimeout(r, 200));
    release();
    await Promise.all([first, second]);
    if (dialect === 'postgres') {
      // b is held by the first page: the second waits for it; c was free.
      expect(events).toEqual(['first in', 'other', 'first out', 'second in']);
    } else {
      // One process, one page of a flow at a time: the embedded store takes no locks.
      expect(events).toEqual(['first in', 'other', 'second in', 'first out']);
    }
  });

  it('record locks: a page that reads with its locks sees the row the last holder stored while it waited', async () => {
    const { gate, release, inside, entered } = holding();
    // The first page holds s1 and stores its link only when let go; s2 was linked before.
    await store.records.upsertMany([{ ...linkRow('locked', 's2'), target_id: 'T2' }]);
    const first = store.recordLocks.hold('locked', ['s1'], async () => {
      entered();
      await gate;
      await store.records.upsertMany([{ ...linkRow('locked', 's1'), target_id: 'T1' }]);
    });
    await inside;
    const second = store.recordLocks.hold(
      'locked',
      ['s1', 's2', 's3'],
      async (rows) => (rows ? Object.fromEntries([...rows].map(([id, r]) => [id, r.target_id])) : undefined),
      { read: true },
    );
    // The second page's call is in (and waits for s1) before the first stores its row.
    await new Promise((r) => setTimeout(r, 200));
    release();
    await first;
    if (dialect === 'postgres') {
      // Read after the locks: s1 as the first page left it, s2 as it was, s3 unseen.
      expect(await second).toEqual({ s1: 'T1', s2: 'T2' });
    } else {
      // No locks on the embedded store, and nothing read with them: the page reads its own rows.
      expect(await second).toBeUndefined();
    }
  });

  it.runIf(dialect === 'postgres')(
    'record locks: a page that waits longer than the limit fails, and leaves the connections as they were',
    async () => {
      const { db, adapter } = store;
      const short = new RecordLocks(db, adapter, '300ms');
      const { gate, release, inside, entered } = holding();
      const first = short.hold('f', ['x'], async () => {
        entered();
        await gate;
      });
      await inside;
      const started = Date.now();
      const second = short.hold('f', ['y', 'x'], async () => 'ran');
      await expect(second).rejects.toThrow(/lock timeout/);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(5_000);
      release();
      await first;
      // Whatever the second took before it timed out (y) was given back, and no pooled connection
      // kept the limit: a new holder gets both at once.
      expect(await short.hold('f', ['x', 'y'], async () => 'both')).toBe('both');
      const settings = await Promise.all(
        Array.from({ length: 4 }, () =>
          sql<{ t: string }>`select current_setting('lock_timeout') as t`.execute(db),
        ),
      );
      expect(settings.map((r) => r.rows[0]?.t)).toEqual(['0', '0', '0', '0']);
    },
  );

  it.runIf(dialect === 'postgres')(
    'record locks: they go back after a page that succeeded, and a failed page gets its error only once they are back',
    async () => {
      const { db } = store;
      const advisory = async () =>
        Number(
          (
            await sql<{ n: string }>`select count(*) as n from pg_locks where locktype = 'advisory'
              and database = (select oid from pg_database where datname = current_database())`.execute(db)
          ).rows[0]?.n,
        );
      expect(await store.recordLocks.hold('f', ['p', 'q'], async () => advisory())).toBe(2);
      const deadline = Date.now() + 5_000;
      while ((await advisory()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(await advisory()).toBe(0);

      await expect(
        store.recordLocks.hold('f', ['r'], async () => {
          throw new Error('the page failed');
        }),
      ).rejects.toThrow('the page failed');
      expect(await advisory()).toBe(0);
    },
  );
});
