import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const require = createRequire(import.meta.url);

/**
 * PostGraphile 4 needs graphql 15 while DVMM uses 16, so npm nests a copy of 15 in postgraphile and another in
 * graphile-build-pg; two copies of graphql in one schema fail ("from another module or realm"). Every package
 * of PostGraphile's is made to load postgraphile's copy, as a single hoisted graphql 15 would.
 */
const GRAPHILE_PACKAGES = /\/node_modules\/(graphile-|@graphile|postgraphile|graphql-parse-resolve-info|subscriptions-transport-ws)/;

function oneGraphql15(): void {
  const Module = require('node:module') as { _resolveFilename: (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string };
  const postgraphileDir = require.resolve('postgraphile/package.json').replace(/package\.json$/, '');
  const original = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    if ((request === 'graphql' || request.startsWith('graphql/')) && GRAPHILE_PACKAGES.test(parent?.filename ?? '')) {
      return original.call(this, request, { ...parent, filename: `${postgraphileDir}index.js`, paths: [`${postgraphileDir}node_modules`] }, ...rest);
    }
    return original.call(this, request, parent, ...rest);
  };
}

/**
 * PostGraphile 4 in library mode on `schema` (default inflection, no auth), on a pg pool of `poolSize`, with its
 * query log off as a production setup has it. Requests' Authorization headers are dropped: PostGraphile without a
 * JWT secret refuses any token, and the benchmark's client sends the same headers to every server.
 */
export async function startPostGraphile(url: string, poolSize: number, schema = 'public'): Promise<{ url: string; close(): Promise<void> }> {
  oneGraphql15();
  const { postgraphile } = require('postgraphile') as typeof import('postgraphile');
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const handler = postgraphile(pool, schema, { disableQueryLog: true, retryOnInitFail: false });
  const server = http.createServer((req, res) => {
    delete req.headers.authorization;
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await handler.release?.();
      await pool.end();
    },
  };
}
