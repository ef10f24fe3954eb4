import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Integration tests run against a real Postgres; a slow shared machine must not turn into flaky timeouts.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file owns its database, so files may run side by side.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
