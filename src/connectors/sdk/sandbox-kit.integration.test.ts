import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxKit, type SandboxKit } from './sandbox-kit.js';

// The control route other processes read a sandbox's calls through (benchmarks poll it while a run lasts).
describe('a sandbox kit’s call log over HTTP', () => {
  let kit: SandboxKit;
  let url: string;

  beforeAll(async () => {
    kit = createSandboxKit({ name: 'kit', specs: [], conformance: false, faultBody: () => ({}) });
    kit.app.get('/items/:id', async (req) => ({ id: (req.params as { id: string }).id }));
    kit.app.post('/items', async () => ({ ok: true }));
    ({ url } = await kit.listen({}));
  });
  afterAll(() => kit.close());

  const log = async (query: string) =>
    (await (await fetch(`${url}/_sandbox/calls${query}`)).json()) as {
      calls: number;
      writes: number;
      list?: Array<{ method: string; path: string; status: number }>;
    };

  it('lists every call, or only those after the first n, without counting its own reads', async () => {
    await fetch(`${url}/items/1`);
    await fetch(`${url}/items`, { method: 'POST' });
    await fetch(`${url}/items/2?x=1`);
    const all = await log('?list=1');
    expect(all).toMatchObject({ calls: 3, writes: 1 });
    expect(all.list?.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'GET /items/1 200',
      'POST /items 200',
      'GET /items/2 200',
    ]);
    expect((await log('?list=1&since=2')).list?.map((c) => c.path)).toEqual(['/items/2']);
    expect((await log('?list=1&since=3')).list).toEqual([]);
    // Not a number, or below zero: from the start.
    expect((await log('?list=1&since=x')).list).toHaveLength(3);
    expect((await log('?list=1&since=-4')).list).toHaveLength(3);
    expect((await log('')).list).toBeUndefined();
  });
});
