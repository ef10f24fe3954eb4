import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CJS (index.js) and ESM (index.mjs) without an exports map: Node (and so Pothos, yoga) loads the
    // CJS one, vite would pick the ESM one for our sources, and two graphql instances break instanceof checks.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    // test/web/*.test.tsx: the portal's components in happy-dom (each file says so in its first line).
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
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
