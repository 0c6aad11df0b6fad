import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acumaticaManifest } from '../connectors/acumatica/manifest.js';
import { magentoManifest } from '../connectors/magento/manifest.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import type { ConnectorDefinition } from '../connectors/sdk/contract.js';
import type { ConnectorManifest } from '../connectors/sdk/manifest.js';
import { ConfigError, literal, loadConfig } from './load.js';
import { CONFIG_TEMPLATE } from './template.js';

const def = (m: ConnectorManifest): ConnectorDefinition => ({
  manifest: m,
  create: () => new MemoryConnector(m.title),
});
/** The real manifests (what the template and the messages are written against), over in-memory connectors. */
const registry = { acumatica: def(acumaticaManifest), magento: def(magentoManifest) };

const dir = mkdtempSync(join(tmpdir(), 'config-'));
let n = 0;
function file(text: string): string {
  const path = join(dir, `ledgerlink-${n++}.yaml`);
  writeFileSync(path, text);
  return path;
}
function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfig(file(text), registry, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}

describe('configuration', () => {
  it('the template written by init loads as it is, with catalog defaults', () => {
    const cfg = loadConfig(file(CONFIG_TEMPLATE), registry, {});
    expect([...cfg.flows.keys()]).toEqual([
      'acumatica-magento.customers',
      'acumatica-magento.products',
      'magento-acumatica.orders',
      'magento-acumatica.customers',
      'magento-acumatica.products',
      'acumatica-magento.orders',
      'acumatica-magento.shipments',
      'acumatica-magento.invoices',
      'acumatica-magento.payments',
    ]);
    // Catalog defaults of the order flows: preferences, what an order refers to, value maps, write-back.
    const orders = cfg.flows.get('acumatica-magento.orders')!;
    expect(orders.conditions.map((c) => c.name)).toEqual([
      'unpaid balance is 0.00',
      'status is Completed',
      'picked up by the customer (ship via WILLCALL)',
    ]);
    expect(orders.dependencies).toEqual([
      { entity: 'customer', ids: 'guest ? [] : customerNumber', flow: 'acumatica-magento.customers' },
      { entity: 'product', ids: 'lines.sku', flow: 'acumatica-magento.products' },
    ]);
    expect(orders.writeBack).toEqual({ field: 'externalNumber', value: 'number' });
    // A shipment's order is brought over by the order flow of the same direction, when it is configured.
    expect(cfg.flows.get('acumatica-magento.shipments')?.dependencies).toEqual([
      { entity: 'salesOrder', ids: 'orderNumbers', flow: 'acumatica-magento.orders' },
    ]);
    expect(cfg.flows.get('magento-acumatica.orders')?.valueMaps).toMatchObject({
      shipVia: 'shippingMethod',
      orderType: 'orderType',
      'taxLines.code': 'taxClass',
    });
    expect(cfg.valueMaps.get('shippingMethod')?.rows[0]).toEqual({
      acumatica: 'FLATRATE',
      magento: 'flatrate_flatrate',
    });
    const customers = cfg.flows.get('acumatica-magento.customers')!;
    expect(customers).toMatchObject({
      entity: 'customer',
      source: 'acumatica',
      target: 'magento',
      ownedFields: ['creditLimit', 'onHold'],
      schedule: '*/15 * * * *',
    });
    expect(cfg.connections.get('acumatica')?.settings).toMatchObject({
      baseUrl: 'http://127.0.0.1:8081',
      password: 'sandbox',
      endpointVersion: '24.200.001',
    });
    expect(cfg.database).toBe('sqlite:./data/ledgerlink.db');
  });

  it('environment variables fill ${NAME}; a missing one is named with its place', () => {
    const text = CONFIG_TEMPLATE.replace('${MAGENTO_TOKEN:-sandbox-integration-token}', '${MAGENTO_TOKEN}');
    expect(
      loadConfig(file(text), registry, { MAGENTO_TOKEN: 't0k' }).connections.get('magento')?.settings
        .accessToken,
    ).toBe('t0k');
    const [issue] = problems(text);
    expect(issue).toMatch(
      /^ledgerlink-\d+\.yaml:\d+:\d+ connections\.magento\.settings\.accessToken: environment variable MAGENTO_TOKEN is not set$/,
    );
  });

  it('$${ is a literal ${, and literal() writes any value so that it loads back as itself', () => {
    const env = { MAGENTO_TOKEN: 't0k' };
    for (const typed of [
      '${MAGENTO_TOKEN}',
      '$${MAGENTO_TOKEN}',
      'a ${X:-y} $ {} ${',
      '$$$',
      '${secret:password}',
    ]) {
      const text = CONFIG_TEMPLATE.replace('${MAGENTO_TOKEN:-sandbox-integration-token}', () =>
        JSON.stringify(literal(typed)),
      );
      expect(loadConfig(file(text), registry, env).connections.get('magento')?.settings.accessToken).toBe(
        typed,
      );
    }
    expect(literal({ a: ['${A}', 1], b: { c: '${B}' } })).toEqual({ a: ['$${A}', 1], b: { c: '$${B}' } });
  });

  it('LEDGERLINK_DATABASE_URL overrides the file', () => {
    expect(
      loadConfig(file(CONFIG_TEMPLATE), registry, { LEDGERLINK_DATABASE_URL: 'postgres://x@127.0.0.1/db' })
        .database,
    ).toBe('postgres://x@127.0.0.1/db');
  });

  it('malformed YAML is one located line', () => {
    const issues = problems('connections:\n  a: [unclosed\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^ledgerlink-\d+\.yaml:\d+:\d+: not valid YAML: /);
  });

  it('an alias without its anchor, or an alias bomb, is a ConfigError, not a ReferenceError (found by the fuzz suite)', () => {
    // `<<: *x` parses without errors; the yaml library only throws when the document becomes values.
    expect(problems('<<: *x')).toEqual([
      expect.stringMatching(/^ledgerlink-\d+\.yaml: not valid YAML: Unresolved alias/),
    ]);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
      .concat(
        Array.from(
          { length: 8 },
          (_, i) => `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`,
        ),
      )
      .join('\n');
    expect(problems(bomb)).toEqual([expect.stringMatching(/not valid YAML: Excessive alias count/)]);
  });

  it('a connection named like an Object property ("constructor") is no configured connection', () => {
    const base =
      'connections:\n  acumatica: { connector: acumatica, settings: { baseUrl: "http://x", username: u, password: p, company: c } }\n';
    expect(problems(`${base}valueMaps:\n  m:\n    - { acumatica: A, constructor: B }\n`)).toEqual([
      expect.stringMatching(
        /valueMaps\.m\[0\]\.constructor: no connection named "constructor" is configured$/,
      ),
    ]);
    expect(
      problems(
        `${base}flows:\n  custom:\n    entity: customer\n    source: constructor\n    target: acumatica\n`,
      ),
    ).toEqual([
      expect.stringMatching(/flows\.custom\.source: no connection named "constructor" is configured$/),
    ]);
  });

  it('like: a catalog flow again under another name, to a second connection, with its own conditions', () => {
    const text = [
      'connections:',
      '  acumatica: { connector: acumatica, settings: { baseUrl: "http://x", username: u, password: p, company: c } }',
      '  magento: { connector: magento, settings: { baseUrl: "http://m", accessToken: t } }',
      '  portal2: { connector: magento, settings: { baseUrl: "http://p", accessToken: t } }',
      'flows:',
      '  acumatica-magento.customers: {}',
      '  portal2.customers:',
      '    like: acumatica-magento.customers',
      '    target: portal2',
      '    conditions: [{ name: enabled for portal 2, expression: attributes.P2 = "true" }]',
      '',
    ].join('\n');
    const cfg = loadConfig(file(text), registry, {});
    const [first, second] = [
      cfg.flows.get('acumatica-magento.customers')!,
      cfg.flows.get('portal2.customers')!,
    ];
    expect(second).toMatchObject({ entity: 'customer', source: 'acumatica', target: 'portal2' });
    expect(second.ownedFields).toEqual(first.ownedFields);
    expect(second.conditions.map((c) => c.name)).toEqual(['enabled for portal 2']);
    expect(second.description).toBe(first.description);
    // The copy keeps the catalog's connector kinds; an unknown original is named.
    expect(problems(text.replace('target: portal2', 'target: acumatica'))).toEqual([
      expect.stringMatching(
        /portal2\.customers\.target: connection "acumatica" is a acumatica connection, but this flow needs magento/,
      ),
    ]);
    expect(problems(text.replace('like: acumatica-magento.customers', 'like: nothing.here'))).toEqual([
      expect.stringMatching(/portal2\.customers\.like: "nothing\.here" is not a flow Ledgerlink knows/),
    ]);
  });

  it('a flow name holding a control character is a problem of the file, never a row the store refuses', () => {
    const base =
      'connections:\n  acumatica: { connector: acumatica, settings: { baseUrl: "http://x", username: u, password: p, company: c } }\n';
    expect(
      problems(`${base}flows:\n  "x\\0y": { entity: customer, source: acumatica, target: acumatica }\n`),
    ).toEqual([expect.stringMatching(/flows\.x\0y: .*control characters/)]);
  });

  it('names the YAML path and line of each mistake', () => {
    const text = CONFIG_TEMPLATE.replace(
      'ownedFields: [creditLimit, onHold]',
      'ownedFields: [creditLimit, annualRevenue]',
    )
      .replace('websiteId: 1', 'websiteId: 1\n      colour: blue')
      .replace('schedule: "*/15 * * * *"          # cron', 'schedule: "every day"  # cron');
    const issues = problems(text);
    expect(issues).toEqual([
      expect.stringMatching(/:\d+:\d+ connections\.magento\.settings: unknown setting "colour"$/),
    ]);
    const fixed = text.replace('\n      colour: blue', '');
    const again = problems(fixed);
    expect(again).toEqual([
      expect.stringMatching(
        /:\d+:\d+ flows\.acumatica-magento\.customers\.ownedFields\[1\]: Magento cannot update "annualRevenue" on a customer; it can update: name, email, class, creditLimit, onHold, status, contacts, addresses, terms$/,
      ),
      expect.stringMatching(/flows\.acumatica-magento\.customers\.schedule: not a valid cron schedule/),
    ]);
    const line = Number(/:(\d+):/.exec(again[0]!)?.[1]);
    expect(fixed.split('\n')[line - 1]).toContain('ownedFields: [creditLimit, annualRevenue]');
  });

  it('refuses unknown flows, connectors, wrong connection kinds, and OAuth without its client', () => {
    expect(
      problems(CONFIG_TEMPLATE.replace('acumatica-magento.products:', 'magento-acumatica.nothing:'))[0],
    ).toMatch(
      /flows\.magento-acumatica\.nothing: "magento-acumatica\.nothing" is not a flow Ledgerlink knows \(acumatica-magento\.customers, acumatica-magento\.products, [a-z0-9., -]+\); a custom flow must set entity, source and target$/,
    );
    expect(problems(CONFIG_TEMPLATE.replace('connector: magento', 'connector: shopify'))[0]).toMatch(
      /connections\.magento\.connector: unknown connector "shopify"; available: acumatica, magento/,
    );
    expect(problems(CONFIG_TEMPLATE.replace('authMode: cookie ', 'authMode: oauth2 '))).toEqual([
      expect.stringMatching(
        /connections\.acumatica\.settings\.clientId: Connected application client ID is required when authMode is oauth2$/,
      ),
      expect.stringMatching(
        /connections\.acumatica\.settings\.clientSecret: Connected application secret is required when authMode is oauth2$/,
      ),
    ]);
    const swapped = CONFIG_TEMPLATE.replace(
      '  acumatica-magento.customers:\n    enabled: true',
      '  acumatica-magento.customers:\n    source: magento\n    enabled: true',
    );
    expect(problems(swapped)[0]).toMatch(
      /flows\.acumatica-magento\.customers\.source: connection "magento" is a magento connection, but this flow needs acumatica/,
    );
  });

  it("a connection's rateLimit overrides its connector's fields one by one, and bad values are named", () => {
    const cfg = loadConfig(
      file(
        CONFIG_TEMPLATE.replace(
          '    # rateLimit: { requestsPerMinute: 500, concurrency: 4 }',
          '    rateLimit: { requestsPerMinute: 500 }',
        ),
      ),
      registry,
      {},
    );
    // The manifest's concurrency stays; the per-minute allowance is the file's.
    expect(cfg.connections.get('acumatica')!.rateLimit).toEqual({ concurrency: 4, requestsPerMinute: 500 });
    expect(cfg.connections.get('magento')!.rateLimit).toEqual(magentoManifest.rateLimit);

    const bad = problems(
      CONFIG_TEMPLATE.replace(
        '    # rateLimit: { requestsPerMinute: 500, concurrency: 4 }',
        '    rateLimit: { requestsPerSecond: 0, concurrency: 2.5, requestsPerMinute: lots, burst: 10 }',
      ),
    );
    // Each at its place in the file: line and column of the value.
    const line =
      CONFIG_TEMPLATE.split('\n').findIndex((l) => l.includes('# rateLimit: { requestsPerMinute: 500')) + 1;
    expect(bad.map((p) => p.replace(/^ledgerlink-\d+\.yaml/, ''))).toEqual([
      `:${line}:37 connections.acumatica.rateLimit.requestsPerSecond: requests per second must be more than 0`,
      `:${line}:77 connections.acumatica.rateLimit.requestsPerMinute: requests per minute must be a number`,
      `:${line}:53 connections.acumatica.rateLimit.concurrency: concurrency must be a whole number of requests in flight`,
      `:${line}:16 connections.acumatica.rateLimit: unknown key "burst"`,
    ]);
  });

  it('an invalid JSONata condition is refused at load, not at run time', () => {
    const text = CONFIG_TEMPLATE.replace(
      '# conditions:\n    #   - name: has an e-mail\n    #     expression: "$exists(email)"',
      'conditions:\n      - name: broken\n        expression: "$exists(("',
    );
    expect(problems(text)[0]).toMatch(
      /flows\.acumatica-magento\.customers\.conditions\[0\]\.expression: not a valid JSONata expression/,
    );
  });

  it('alerts: channels take secrets from the environment, have defaults, and a bad format is named', () => {
    const base = CONFIG_TEMPLATE.replace(
      '# alerts:',
      [
        'alerts:',
        '  email: { host: smtp.example.com, from: ll@example.com, to: [ops@example.com], pass: "${SMTP_PASSWORD}" }',
        '  webhook: { url: "${HOOK_URL}" }',
        '# (was alerts:)',
      ].join('\n'),
    );
    const cfg = loadConfig(file(base), registry, {
      SMTP_PASSWORD: 's3cret',
      HOOK_URL: 'https://hooks.example.com/x',
    });
    expect(cfg.alerts).toMatchObject({
      checkEverySeconds: 60,
      reminderHours: 4,
      email: { port: 587, secure: false, pass: 's3cret' },
      webhook: { url: 'https://hooks.example.com/x', format: 'json', timeoutMs: 5000 },
    });
    const bad = problems(
      base.replace('webhook: { url: "${HOOK_URL}" }', 'webhook: { url: "${HOOK_URL}", format: discord }'),
      {
        SMTP_PASSWORD: 'x',
        HOOK_URL: 'https://hooks.example.com/x',
      },
    );
    expect(bad.join('\n')).toMatch(/alerts\.webhook\.format/);
    expect(loadConfig(file(CONFIG_TEMPLATE), registry, {}).alerts).toEqual({
      checkEverySeconds: 60,
      reminderHours: 4,
    });
  });

  it('a missing file says how to make one', () => {
    expect(() => loadConfig(join(dir, 'nope.yaml'), registry, {})).toThrow(
      /nope\.yaml: no such file; run "ledgerlink init" to write one/,
    );
  });
});
