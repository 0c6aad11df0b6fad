import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every TypeScript file under src/, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('the odbc package is optional', () => {
  // Without unixODBC's headers npm skips the package (and its types): a static import of it, even of
  // types only, broke `npm ci`'s build on a machine without them, for every connector.
  it('no source imports it by name; only odbc.ts loads it, lazily', () => {
    const importers = sources('src').filter((f) =>
      /from\s+['"]odbc['"]|import\(\s*['"]odbc['"]\s*\)|require\(\s*['"]odbc['"]\s*\)/.test(
        readFileSync(f, 'utf8'),
      ),
    );
    expect(importers).toEqual([]);
  });
});
