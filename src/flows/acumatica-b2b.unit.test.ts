import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigText } from '../config/load.js';
import { acumaticaManifest } from '../connectors/acumatica/manifest.js';
import { magentoManifest } from '../connectors/magento/manifest.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import type { ConnectorManifest } from '../connectors/sdk/manifest.js';
import { ConditionSet } from '../engine/conditions.js';
import { flowCatalog } from './catalog.js';

const def = (m: ConnectorManifest) => ({ manifest: m, create: () => new MemoryConnector(m.title) });
const registry = { acumatica: def(acumaticaManifest), magento: def(magentoManifest) };

const config = (flow: string) => `
connections:
  acumatica:
    connector: acumatica
    settings: { baseUrl: "http://127.0.0.1:1", username: u, password: p, company: c }
  portal:
    connector: magento
    settings: { baseUrl: "http://127.0.0.1:2", accessToken: t, b2bCompanies: true }
flows:
  acumatica-b2b.companies:
    target: portal
${flow}
`;

function load(flow = '') {
  return loadConfigText(config(flow), 'ledgerlink.yaml', registry, {});
}

const record = (patch: Record<string, unknown>) => ({ number: 'C1', name: 'Acme', ...patch });

describe('acumatica-b2b.companies', () => {
  it('is in the catalog: Acumatica customers to the B2B connection, owning what makes up a company', () => {
    const f = load().flows.get('acumatica-b2b.companies')!;
    expect(f).toMatchObject({
      entity: 'customer',
      source: 'acumatica',
      target: 'portal',
      ownedFields: ['name', 'email', 'contacts', 'addresses', 'terms'],
    });
    expect(flowCatalog['acumatica-b2b.companies']?.settings).toEqual({ enabledAttribute: 'KNB' });
  });

  it('lets only B2B customers enabled for the connection through; a skipped one names the condition and why', async () => {
    const f = load().flows.get('acumatica-b2b.companies')!;
    expect(f.conditions.map((c) => c.name)).toEqual(['customer type is B2B and KNB is checked']);
    const set = new ConditionSet(f.conditions, f.settings);
    expect((await set.evaluate(record({ type: 'B2B', attributes: { KNB: 'true' } }))).passed).toBe(true);
    expect((await set.evaluate(record({ type: 'B2B', attributes: { KNB: 'True' } }))).passed).toBe(true);
    expect((await set.evaluate(record({ type: 'B2B', attributes: { KNB: '1' } }))).passed).toBe(true);
    expect((await set.evaluate(record({ type: 'B2C', attributes: { KNB: 'true' } }))).reason).toBe(
      'no sync condition holds: "customer type is B2B and KNB is checked" is false (the customer type is B2C)',
    );
    expect((await set.evaluate(record({ attributes: { KNB: 'true' } }))).reason).toContain(
      '(the customer type is not set)',
    );
    expect((await set.evaluate(record({ type: 'B2B', attributes: { KNB: 'false' } }))).reason).toBe(
      'no sync condition holds: "customer type is B2B and KNB is checked" is false (KNB is false)',
    );
    expect((await set.evaluate(record({ type: 'B2B' }))).reason).toContain('(KNB is not set)');
  });

  it('takes the attribute from the flow setting enabledAttribute, as data; refuses what is not a setting', async () => {
    const f = load('    settings: { enabledAttribute: ENABLE_PORTAL2 }').flows.get(
      'acumatica-b2b.companies',
    )!;
    const set = new ConditionSet(f.conditions, f.settings);
    expect(f.conditions[0]?.name).toBe('customer type is B2B and ENABLE_PORTAL2 is checked');
    expect((await set.evaluate(record({ type: 'B2B', attributes: { KNB: 'true' } }))).passed).toBe(false);
    expect((await set.evaluate(record({ type: 'B2B', attributes: { ENABLE_PORTAL2: 'true' } }))).passed).toBe(
      true,
    );

    const issues = (flow: string) => {
      try {
        load(flow);
        return [];
      } catch (e) {
        if (e instanceof ConfigError) return e.issues;
        throw e;
      }
    };
    expect(issues('    settings: { enabled: KNB }')).toEqual([
      expect.stringMatching(
        /settings\.enabled: this flow has no setting "enabled" \(it has enabledAttribute\)$/,
      ),
    ]);
    // A value is data, never part of the expression: what looks like JSONata is just an odd name.
    const odd = load('    settings: { enabledAttribute: "KNB` or true or `x" }').flows.get(
      'acumatica-b2b.companies',
    )!;
    const oddSet = new ConditionSet(odd.conditions, odd.settings);
    expect((await oddSet.evaluate(record({ type: 'B2B', attributes: { KNB: 'false' } }))).passed).toBe(false);
    expect(
      (await oddSet.evaluate(record({ type: 'B2B', attributes: { 'KNB` or true or `x': 'true' } }))).passed,
    ).toBe(true);
  });
});
