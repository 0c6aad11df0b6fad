import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The fault suite runs on its own (`npm run test:faults`, vitest.faults.config.ts).
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    // Generous: a test waits for a condition (a run finished, a record's state), and on a loaded
    // machine (load 8 to 14 on 2 cores: a second copy of the suite beside it) conditions come late; a
    // limit only matters when something is wrong.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Two shared cores: more parallel files only add contention to the timing-sensitive suites.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
