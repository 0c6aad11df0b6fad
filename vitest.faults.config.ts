import { defineConfig } from 'vitest/config';

/**
 * The fault suite (`npm run test:faults`): workers killed, the database restarted, the target down or
 * hanging, webhooks repeated and reordered. One file at a time — each scenario starts its own worker
 * processes and measures recovery times, which other suites running beside it on two cores would
 * only blur.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.faults.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
