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
    testTimeout: 480_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
