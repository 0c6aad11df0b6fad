import { describe, expect, it } from 'vitest';
import { connectorRegistry } from './registry.js';
import { sandboxRegistry } from './sandboxes.js';

describe('the sandboxes', () => {
  // `ledgerlink sandbox` and the demo start several at once on their default ports: two on one port
  // and the second fails to start (iSeller and Accurate both took 8088 when they were added).
  it('each listens on its own default port, and each is a registered connector’s', () => {
    const ports = Object.values(sandboxRegistry).map((s) => s.defaultPort);
    expect(new Set(ports).size).toBe(ports.length);
    for (const name of Object.keys(sandboxRegistry)) expect(connectorRegistry[name], name).toBeDefined();
  });
});
