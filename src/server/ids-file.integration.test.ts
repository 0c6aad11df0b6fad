import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer, usersWithTokens } from '../../test/support/api-server.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { rawExchange } from '../../test/support/raw-http.js';
import { idsXlsx, lastRowBomb } from '../../test/support/xlsx.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import type { ConnectorManifest } from '../connectors/sdk/manifest.js';
import { type Flow, flowDefaults } from '../engine/flow.js';
import { IDS_FILE_LIMITS } from '../engine/ids-file.js';
import { openStore, type Store } from '../store/index.js';

const flow: Flow = {
  ...flowDefaults,
  name: 'a-b.customers',
  entity: 'customer',
  source: 'a',
  target: 'b',
  ownedFields: ['creditLimit'],
};

/** The memory connector's manifest, with the ID filter (and its file header) a real source declares. */
function withIdFilter(m: ConnectorManifest): ConnectorManifest {
  const customer = m.entities.customer!;
  return {
    ...m,
    entities: {
      ...m.entities,
      customer: {
        ...customer,
        read: {
          ...customer.read!,
          filters: [{ name: 'ids', title: 'Specific customers', kind: 'ids', idFileHeader: 'Customer' }],
        },
      },
    },
  };
}

/**
 * ID-file uploads over real HTTP on loopback: who may upload, the file that blocked the server refused
 * at once, and the body limit.
 */
describe('ID-file upload', () => {
  let tdb: TestDatabase;
  let store: Store;
  let server: ApiServer;
  let url: string;
  const tokens: Record<'operator' | 'viewer', string> = { operator: '', viewer: '' };

  const upload = (body: Buffer, token: string, filename = 'ids.xlsx') =>
    fetch(`${url}/api/flows/${flow.name}/ids-file?filename=${filename}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body,
    });

  beforeAll(async () => {
    tdb = await createTestDatabase('sqlite');
    store = await openStore(tdb.url);
    const connections = new Map(
      ['a', 'b'].map((n) => [n, { definition: { manifest: withIdFilter(new MemoryConnector(n).manifest) } }]),
    );
    server = await startApiServer({ store, flows: [flow], connections });
    url = server.url;
    Object.assign(
      tokens,
      await usersWithTokens(store, [
        ['olga', 'operator'],
        ['vic', 'viewer'],
      ]),
    );
  });
  afterAll(async () => {
    await server.close();
    await store.close();
    await tdb.drop();
  });

  it('an operator gets the ids; a viewer, who may not start a run, is refused before the file is read', async () => {
    const file = await idsXlsx('Customer', ['C1', 'C2', 'C1', 42]);
    const ok = await upload(file, tokens.operator);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      ids: ['C1', 'C2', '42'],
      count: 3,
      header: 'Customer',
      filter: 'ids',
    });
    // A plain text list, one id a line, is taken as the CLI takes it.
    const text = await upload(Buffer.from('Customer\nC7\nC8\n'), tokens.operator, 'ids.txt');
    expect(((await text.json()) as { ids: string[] }).ids).toEqual(['C7', 'C8']);
    const viewer = await upload(file, tokens.viewer);
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it('refuses the file with a value in A1048576 at once, without the memory it used to take', async () => {
    // Loads the reader's modules on a good file first, so only the refusal is measured.
    expect((await upload(await idsXlsx('Customer', ['C1']), tokens.operator)).status).toBe(200);
    const bomb = await lastRowBomb();
    const rss = process.memoryUsage().rss;
    // The server runs in this process: its CPU time is what the refusal cost, whatever else the
    // machine runs (walking the million rows took seconds of it).
    const cpu = process.cpuUsage();
    const res = await upload(bomb, tokens.operator);
    const body = (await res.json()) as { error: { message: string } };
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const rssMb = (process.memoryUsage().rss - rss) / 1024 / 1024;
    expect(res.status).toBe(422);
    expect(body.error.message).toBe(
      'ids.xlsx uses rows down to row 1048576; an ID list can have at most 100,000 IDs below its header',
    );
    expect(cpuMs).toBeLessThan(200);
    expect(rssMb).toBeLessThan(50);
  });

  it('takes a body of exactly the upload limit and answers 413 to one byte more', async () => {
    const limit = IDS_FILE_LIMITS.maxUploadBytes;
    // A CSV of exactly 5 MB: a header and lines of 60 bytes, the last one shorter to land on the limit.
    const header = 'Customer\n';
    const lines = Math.floor((limit - header.length) / 60);
    const rest = limit - header.length - lines * 60;
    const csv = Buffer.from(
      header +
        Array.from({ length: lines }, (_, i) => `${String(i).padStart(59, '0')}\n`).join('') +
        `${'Z'.repeat(rest - 1)}\n`,
    );
    expect(csv.length).toBe(limit);
    const ok = await upload(csv, tokens.operator, 'ids.csv');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { count: number }).count).toBe(lines + 1);
    const over = await upload(Buffer.concat([csv, Buffer.from('x')]), tokens.operator, 'ids.csv');
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({
      error: { code: 'too_large', message: 'the body is larger than this endpoint takes (at most 5 MB)' },
    });
  });

  it('a browser still sending a file over the limit reads the 413, not a reset', async () => {
    const size = IDS_FILE_LIMITS.maxUploadBytes + 2 * 1024 * 1024;
    const sending = rawExchange(
      url,
      `POST /api/flows/${flow.name}/ids-file?filename=ids.xlsx HTTP/1.1\r\nhost: 127.0.0.1\r\n` +
        `authorization: Bearer ${tokens.operator}\r\ncontent-type: application/octet-stream\r\n` +
        `content-length: ${size}\r\n\r\n`,
    );
    await sending.write(Buffer.alloc(size - 1024 * 1024, 0x41));
    // Refused by its length, but answered only once the rest has come.
    await new Promise((r) => setTimeout(r, 300));
    expect(sending.received()).toBe('');
    await sending.write(Buffer.alloc(1024 * 1024, 0x41));
    await sending.closed;
    expect(sending.error()).toBeUndefined();
    expect(sending.received()).toMatch(/^HTTP\/1\.1 413 [\s\S]*at most 5 MB/);
  });
});
