import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { isConfigError, loadConfig } from '../config/load.js';
import { CONFIG_TEMPLATE } from '../config/template.js';
import { connectorRegistry } from '../connectors/registry.js';
import { type Context, openContext } from './context.js';
import { LiveConfig } from './live-config.js';

const logger = pino({ level: 'silent' });

async function until(probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The configuration file is the one source of truth: an edit made through the API lands in the file
 * (comments kept) and runs at once; a hand edit of the file runs too; a change that does not validate
 * changes nothing; a secret given on the dashboard is sealed in the store, never in the file.
 */
describe('live configuration', () => {
  let tdb: TestDatabase;
  let path: string;
  let ctx: Context;
  let live: LiveConfig;

  beforeEach(async () => {
    tdb = await createTestDatabase('sqlite');
    path = join(mkdtempSync(join(tmpdir(), 'live-config-')), 'ledgerlink.yaml');
    writeFileSync(
      path,
      CONFIG_TEMPLATE.replace('database: sqlite:./data/ledgerlink.db', `database: ${tdb.url}`),
    );
    ctx = await openContext({ configPath: path, logger });
    live = new LiveConfig(ctx.config, connectorRegistry, (next) => ctx.reload(next), logger, {});
  });
  afterEach(async () => {
    live.stop();
    await ctx.close();
    await tdb.drop();
  });

  it('an edit lands in the file with its comments kept, and the new flow runs without a restart', async () => {
    const engineBefore = ctx.engine;
    await live.edit((doc) => {
      doc.setIn(['flows', 'acumatica-magento.customers', 'schedule'], '5 * * * *');
      doc.setIn(['flows', 'acumatica-magento.customers', 'syncMode'], 'scheduled');
    });
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('# Ledgerlink configuration.');
    // The value is replaced in place: its quoting and its comment stay.
    expect(text).toContain('schedule: "5 * * * *" # cron hours; remove for manual / batch only');
    expect(ctx.engine).not.toBe(engineBefore);
    expect(ctx.engine.flow('acumatica-magento.customers')).toMatchObject({
      schedule: '5 * * * *',
      syncMode: 'scheduled',
    });
    // What the file says is what a fresh start would run.
    expect(loadConfig(path, connectorRegistry, {}).flows.get('acumatica-magento.customers')?.schedule).toBe(
      '5 * * * *',
    );
  });

  it('a change that does not validate is refused with its place in the file, and nothing changes', async () => {
    const before = readFileSync(path, 'utf8');
    const engineBefore = ctx.engine;
    const refused = await live
      .edit((doc) => doc.setIn(['flows', 'acumatica-magento.customers', 'ownedFields'], ['annualRevenue']))
      .catch((e: unknown) => e);
    expect(isConfigError(refused)).toBe(true);
    expect((refused as { issues: string[] }).issues[0]).toMatch(
      /^ledgerlink\.yaml:\d+:\d+ flows\.acumatica-magento\.customers\.ownedFields\[0\]: Magento cannot update "annualRevenue"/,
    );
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(ctx.engine).toBe(engineBefore);
  });

  it('a hand edit of the file is picked up; a broken one is reported and the last good version keeps running', async () => {
    live.watch();
    writeFileSync(path, readFileSync(path, 'utf8').replace('enabled: true', 'enabled: false'));
    await until(() => ctx.engine.flow('acumatica-magento.customers').enabled === false);
    writeFileSync(path, `${readFileSync(path, 'utf8')}\nflows: [oops\n`);
    await until(() => live.problems.length > 0);
    expect(live.problems[0]).toMatch(/not valid YAML/);
    expect(ctx.engine.flow('acumatica-magento.customers').enabled).toBe(false);
  });

  it('a hand edit that cannot be applied (the store refuses it) is logged; the process and the last good version stay', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const failing = new LiveConfig(
      ctx.config,
      connectorRegistry,
      async () => {
        // What PostgreSQL answered for a flow named "x\0y": no ConfigError, a database error.
        throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
      },
      pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
      {},
    );
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      failing.watch();
      writeFileSync(path, readFileSync(path, 'utf8').replace('enabled: true', 'enabled: false'));
      await until(() => lines.some((l) => l.level === 50));
      expect(lines.find((l) => l.level === 50)?.msg).toBe(
        'the edited configuration could not be applied; the previous one keeps running',
      );
      expect(unhandled).toEqual([]);
      expect(ctx.engine.flow('acumatica-magento.customers').enabled).toBe(true);
    } finally {
      failing.stop();
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a secret given on the dashboard is sealed in the store; the file only names it', async () => {
    await ctx.store.credentials.forConnection('acumatica').set('setting:password', 'from-the-dashboard');
    await live.edit((doc) =>
      doc.setIn(['connections', 'acumatica', 'settings', 'password'], '${secret:password}'),
    );
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('password: ${secret:password}');
    expect(text).not.toContain('from-the-dashboard');
    const connector = ctx.connectors.get('acumatica') as unknown as { client: { s: { password?: string } } };
    expect(connector.client.s.password).toBe('from-the-dashboard');
  });
});
