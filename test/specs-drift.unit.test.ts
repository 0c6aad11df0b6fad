import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const SHARED = join(ROOT, '..', 'shared', 'specs');

// The vendored specs must stay byte-for-byte copies of the steering repository's (when it is present).
describe.skipIf(!existsSync(SHARED))('vendored specs', () => {
  for (const dir of readdirSync(join(ROOT, 'specs'), { withFileTypes: true }).filter((d) =>
    d.isDirectory(),
  )) {
    it(`specs/${dir.name} matches ../shared/specs/${dir.name}`, () => {
      for (const file of readdirSync(join(ROOT, 'specs', dir.name))) {
        const ours = readFileSync(join(ROOT, 'specs', dir.name, file));
        const theirs = readFileSync(join(SHARED, dir.name, file));
        expect(ours.equals(theirs), file).toBe(true);
      }
    });
  }
});
