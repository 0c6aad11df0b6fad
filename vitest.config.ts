import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two shared cores: more parallel files only add contention to the timing-sensitive suites.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
