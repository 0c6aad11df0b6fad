import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Flow, flowDefaults } from '../../src/engine/flow.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { LogEntryWrite } from '../../src/store/repositories/connector-log.js';
import { type ApiServer, startApiServer, usersWithTokens } from '../support/api-server.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { logLine } from '../support/store-rows.js';

const flow: Flow = {
  ...flowDefaults,
  name: 'a-b.customers',
  entity: 'customer',
  source: 'a',
  target: 'b',
  ownedFields: [],
};

/** The start of the hour `back` hours before the current one, plus `seconds`: whole hours already past. */
const hourStart = (back: number) => {
  const t = new Date();
  t.setUTCMinutes(0, 0, 0);
  return new Date(t.getTime() - back * 3_600_000);
};
const at = (back: number, seconds = 0) => new Date(hourStart(back).getTime() + seconds * 1000).toISOString();

const entry = (
  sourceId: string,
  status: LogEntryWrite['status'],
  at: string,
  reason?: string,
): LogEntryWrite =>
  logLine(flow.name, sourceId, {
    run_id: null,
    source_number: null,
    target_number: null,
    related: null,
    action: status === 'success' ? 'create' : 'none',
    status,
    reason: reason ?? null,
    created_at: at,
  });

/**
 * The home screen's figures over HTTP on a real store: per hour, records (distinct source ids that
 * ended the hour failed), not attempts — 55 attempts on 6 records read as 55 failures — with the
 * attempts beside them; and the open failures named, with their reasons.
 */
describe.each(DIALECTS)('home figures (%s store)', (dialect) => {
  let db: TestDatabase;
  let store: Store;
  let server: ApiServer;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    store = await openStore(db.url);
    server = await startApiServer({ store, flows: [flow] });
    token = (await usersWithTokens(store, [['vera', 'viewer']])).viewer!;
    const entries: LogEntryWrite[] = [];
    // In the last hour C1 failed ten times, C2 three times and then synced, C3 synced twice, and C4
    // failed again after failing the hour before.
    for (let i = 0; i < 10; i++) entries.push(entry('C1', 'failed', at(1, i), 'C1 has no e-mail'));
    for (let i = 0; i < 3; i++) entries.push(entry('C2', 'failed', at(1, 10 + i)));
    entries.push(entry('C2', 'success', at(1, 20)));
    entries.push(entry('C3', 'success', at(1, 21)), entry('C3', 'success', at(1, 22)));
    entries.push(entry('C4', 'failed', at(2, 5)), entry('C4', 'aborted', at(1, 23)));
    await store.log.append(entries);
    const record = { target_id: null, target_number: null, natural_key: null, last_hash: null, edited: 0 };
    await store.records.upsertMany([
      {
        ...record,
        flow: flow.name,
        source_id: 'C1',
        state: 'failed',
        attempts: 10,
        error_message: 'customer C1 has no email + website, which Magento needs to identify it',
      },
      {
        ...record,
        flow: flow.name,
        source_id: 'C4',
        state: 'aborted',
        attempts: 2,
        error_message: 'customer C4: email is not a valid e-mail address',
      },
      { ...record, flow: flow.name, source_id: 'C2', state: 'processed', attempts: 4 },
    ]);
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
    await db?.drop();
  });

  it('counts records that ended the hour failed, with the failed attempts beside them', async () => {
    const res = await fetch(`${server.url}/api/stats?hours=4`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const stats = (await res.json()) as {
      hours: string[];
      flows: Array<{ name: string; success: number[]; failed: number[]; failedAttempts: number[] }>;
    };
    const f = stats.flows.find((x) => x.name === flow.name)!;
    // Found by their hour, so a clock turning the hour during the test moves nothing.
    const last = stats.hours.indexOf(hourStart(1).toISOString());
    const before = stats.hours.indexOf(hourStart(2).toISOString());
    // The last hour: C1 and C4 ended it failed (14 failed attempts), C2 and C3 synced. The hour before: C4.
    expect([f.failed[last], f.success[last], f.failedAttempts[last]]).toEqual([2, 2, 14]);
    expect([f.failed[before], f.success[before], f.failedAttempts[before]]).toEqual([1, 0, 1]);
  });

  it('names the open failures with their reasons', async () => {
    const res = await fetch(`${server.url}/api/stats`, { headers: { authorization: `Bearer ${token}` } });
    const stats = (await res.json()) as {
      openFailures: number;
      failures: Array<{ flow: string; sourceId: string; state: string; reason: string }>;
    };
    expect(stats.openFailures).toBe(2);
    expect(stats.failures.map((f) => [f.sourceId, f.state, f.reason]).sort()).toEqual([
      ['C1', 'failed', 'customer C1 has no email + website, which Magento needs to identify it'],
      ['C4', 'aborted', 'customer C4: email is not a valid e-mail address'],
    ]);
  });
});
