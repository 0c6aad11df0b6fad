import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every TypeScript file under src/, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('the odbc and winax packages are optional', () => {
  // Without unixODBC's headers npm skips the package (and its types): a static import of it, even of
  // types only, broke `npm ci`'s build on a machine without them, for every connector.
  it('no source imports either by name; odbc.ts and sdo-writer.ts load them, lazily', () => {
    const importers = sources('src').filter((f) =>
      /from\s+['"](odbc|winax)['"]|import\(\s*['"](odbc|winax)['"]\s*\)|require\(\s*['"](odbc|winax)['"]\s*\)/.test(
        readFileSync(f, 'utf8'),
      ),
    );
    expect(importers).toEqual([]);
  });
});
