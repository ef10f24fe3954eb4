import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSql, type Sql } from '../../src/db/client.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { runMigrations } from '../../src/db/migrate.ts';

export interface BenchDatabase {
  url: string;
  sql: Sql;
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A fresh, migrated database for one benchmark: on BENCH_DATABASE_URL / DATABASE_URL's server when set, else on an
 * embedded Postgres in a temporary folder. Dropped again on close.
 */
export async function benchDatabase(poolSize = 40): Promise<BenchDatabase> {
  let serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  if (!serverUrl) {
    dataDir = mkdtempSync(join(tmpdir(), 'dvmm-bench-'));
    const server = await startEmbeddedPostgres({ dataDir, log: () => {} });
    serverUrl = server.url;
    stopEmbedded = server.stop;
  }
  const name = `dvmm_bench_${randomBytes(4).toString('hex')}`;
  const admin = createSql(serverUrl, { max: 1 });
  await admin.unsafe(`create database "${name}"`);
  const url = withDatabase(serverUrl, name);
  const sql = createSql(url, { max: poolSize, applicationName: 'dvmm-bench' });
  await runMigrations(sql);
  return {
    url,
    sql,
    async close() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
      if (stopEmbedded) await stopEmbedded();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Where the figures come from, printed at the top of every benchmark. */
export function describeServer(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ? '' : ' (embedded)'}`;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
