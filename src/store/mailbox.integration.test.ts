import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { openStore, type Store } from './index.js';

for (const dialect of DIALECTS) {
  describe(`mailbox (${dialect})`, () => {
    let db: TestDatabase;
    let store: Store;
    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      store = await openStore(db.url);
    });
    afterAll(async () => {
      await store.close();
      await db.drop();
    });

    it('a key is queued once: posting it again returns the request (or answer) already there', async () => {
      const box = store.mailbox.forConnection('qbd');
      const [first] = await box.post([{ key: 'add:invoice:ORD-1', request: '<a/>' }]);
      const [again] = await box.post([{ key: 'add:invoice:ORD-1', request: '<b/>' }]);
      expect(again?.id).toBe(first?.id);
      expect(again?.request).toBe('<a/>');
      // Another connection's same key is another request.
      const [other] = await store.mailbox
        .forConnection('other')
        .post([{ key: 'add:invoice:ORD-1', request: '<c/>' }]);
      expect(other?.id).not.toBe(first?.id);
      expect(await box.queued()).toBe(1);
    });

    it('queued → sent to a ticket → answered, and the answer stays under the key', async () => {
      const box = store.mailbox.forConnection('qbd');
      await box.openSession({
        ticket: 't1',
        username: 'u',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      });
      const taken = await box.take('t1');
      expect(taken?.key).toBe('add:invoice:ORD-1');
      expect(await box.take('t1')).toBeUndefined();
      expect((await box.inFlight('t1'))?.id).toBe(taken?.id);
      await box.settle(taken!.id, {
        status: 'answered',
        response: '<ok/>',
        statusCode: 0,
        statusMessage: 'Status OK',
      });
      await box.updateSession('t1', { answeredMore: 1, companyFile: 'C:\\a.QBW' });
      const [row] = await box.post([{ key: 'add:invoice:ORD-1', request: '<again/>' }]);
      expect(row).toMatchObject({ status: 'answered', response: '<ok/>', statusCode: 0, ticket: 't1' });
      expect(await box.session('t1')).toMatchObject({
        answered: 1,
        companyFile: 'C:\\a.QBW',
        refused: false,
      });
    });

    it('a request QuickBooks refused is queued again with the new data; one whose fate is unknown is not', async () => {
      const box = store.mailbox.forConnection('qbd');
      await box.post([
        { key: 'add:customer:C1', request: '<old/>' },
        { key: 'add:customer:C2', request: '<c2/>' },
        { key: 'query:customer:r:0', request: '<q/>', retrySafe: true },
      ]);
      const c1 = await box.take('t1');
      await box.settle(c1!.id, { status: 'error', statusCode: 3140, statusMessage: 'invalid reference' });
      const [requeued] = await box.post([{ key: 'add:customer:C1', request: '<new/>' }]);
      expect(requeued).toMatchObject({ status: 'queued', request: '<new/>' });
      // The session ends with C2 and the query handed out but never answered.
      await box.take('t1'); // C1 again
      const c2 = await box.take('t1');
      const q = await box.take('t1');
      expect([c2?.key, q?.key]).toEqual(['add:customer:C2', 'query:customer:r:0']);
      await box.orphans('t2');
      const [c2row, qrow] = await box
        .find(['add:customer:C2', 'query:customer:r:0'])
        .then((rs) => ['add:customer:C2', 'query:customer:r:0'].map((k) => rs.find((r) => r.key === k)));
      expect(qrow?.status).toBe('queued');
      expect(c2row?.status).toBe('error');
      expect(c2row?.statusMessage).toMatch(/never brought an answer.*before retrying/);
      // Posting it again does not resend it blindly.
      const [still] = await box.post([{ key: 'add:customer:C2', request: '<c2/>' }]);
      expect(still?.status).toBe('error');
      await box.withdraw(['query:customer:r:0']);
      expect(await box.find(['query:customer:r:0'])).toEqual([]);
    });

    it('sessions: a refused login is the last session; the last accepted one is kept apart', async () => {
      const box = store.mailbox.forConnection('qbd');
      await new Promise((r) => setTimeout(r, 5));
      await box.openSession({
        ticket: 'bad',
        username: 'x',
        refused: true,
        expiresAt: new Date().toISOString(),
        lastError: 'refused',
      });
      expect((await box.lastSession())?.ticket).toBe('bad');
      expect((await box.lastAccepted())?.ticket).toBe('t1');
    });
  });
}
