import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

/**
 * Drills run several servers (or Postgres clusters, nginx) each and load them: beside another file they would fight
 * it for this machine's 2 cores and both would crawl, so they run after the rest, one at a time.
 */
const DRILLS = [
  'test/e2e/instances-drill.test.ts',
  'test/e2e/restart-drill.test.ts',
  'test/e2e/replica-*.test.ts',
  'test/e2e/load-balancer.test.ts',
  'test/e2e/graphql-live.test.ts',
];
const ALL = ['test/**/*.test.ts', 'test/**/*.test.tsx'];

export default defineConfig({
  resolve: {
    // graphql ships CJS (index.js) and ESM (index.mjs) without an exports map: Node (and so Pothos, yoga) loads the
    // CJS one, vite would pick the ESM one for our sources, and two graphql instances break instanceof checks.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    // Integration tests run against a real Postgres; a slow shared machine must not turn into flaky timeouts.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        // test/web/*.test.tsx: the portal's components in happy-dom (each file says so in its first line).
        // Each file owns its database, so files may run side by side.
        test: { name: 'main', include: ALL, exclude: DRILLS, fileParallelism: true, maxWorkers: 2 },
      },
      {
        extends: true,
        test: { name: 'drills', include: DRILLS, fileParallelism: false, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
