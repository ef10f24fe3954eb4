import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, VARIABLES } from '../../src/config/index.ts';
import { configTable, README_FILE, readmeTableProblem, withConfigTable } from '../../src/config/readme-table.ts';
import { ConfigError } from '../../src/config-error.ts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dvmm-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errorOf = (env: Record<string, string>): string => {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
};

describe('the configuration schema', () => {
  it('fills in every default of an empty environment', () => {
    expect(parseConfig({})).toEqual({
      production: false,
      databaseUrl: undefined,
      poolMax: 20,
      readReplicas: { urls: [], waitMs: 200, maxLagMs: 5_000 },
      dataDir: '.data',
      port: 4000,
      host: undefined,
      metricsPort: undefined,
      graphiql: true,
      introspection: true,
      corsOrigins: undefined,
      demoSeed: true,
      auth: { secret: undefined, jwksUrl: undefined, issuer: undefined, audience: undefined },
      oidc: undefined,
      provisioning: {
        enabled: true,
        stageMs: 2000,
        simulatorStateFile: undefined,
        simulateUnconfigured: true,
        options: {
          maxAttempts: 5,
          backoffMs: 10_000,
          backoffMaxMs: 120_000,
          networkTimeoutMs: 60_000,
          concurrency: 4,
          reconcileIntervalMs: 60_000,
        },
      },
      sealing: { key: undefined, keyFile: undefined, intervalMs: 10_000 },
      secrets: { keys: undefined },
      versionRetentionMs: 14 * 86_400_000,
    });
  });

  it('turns GraphiQL, introspection and the demo seed off in production unless asked; introspection follows GraphiQL', () => {
    expect(parseConfig({ NODE_ENV: 'production' })).toMatchObject({ production: true, graphiql: false, introspection: false, demoSeed: false });
    expect(parseConfig({ NODE_ENV: 'production', GRAPHIQL_ENABLED: 'on' })).toMatchObject({ graphiql: true, introspection: true });
    expect(parseConfig({ GRAPHIQL_ENABLED: 'true', GRAPHQL_INTROSPECTION: 'NO' })).toMatchObject({ graphiql: true, introspection: false });
    expect(parseConfig({ NODE_ENV: 'development' })).toMatchObject({ production: false, demoSeed: true });
  });

  it('takes values trimmed, and a blank one as unset', () => {
    const config = parseConfig({ PORT: ' 8080\n', HOST: '  ', DVMM_DATA_DIR: '', METRICS_PORT: '9464', CORS_ORIGINS: 'https://a.example, http://localhost:5173' });
    expect(config).toMatchObject({ port: 8080, host: undefined, dataDir: '.data', metricsPort: 9464 });
    expect(config.corsOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
  });

  it('names the variable, what is wrong and the value given', () => {
    expect(errorOf({ PORT: 'eighty' })).toBe('PORT must be a whole number from 0 to 65535, got "eighty"');
    expect(errorOf({ PORT: '4000.5' })).toBe('PORT must be a whole number from 0 to 65535, got "4000.5"');
    expect(errorOf({ DATABASE_POOL_MAX: '1' })).toBe('DATABASE_POOL_MAX must be a whole number from 2 to 1000, got "1"');
    expect(errorOf({ PROVISIONING_MAX_ATTEMPTS: '0' })).toBe('PROVISIONING_MAX_ATTEMPTS must be a whole number >= 1, got "0"');
    expect(errorOf({ PROVISIONING_ENABLED: 'maybe' })).toBe('PROVISIONING_ENABLED must be true or false, got "maybe"');
    expect(errorOf({ DVMM_SEAL_INTERVAL_MS: '10s' })).toBe('DVMM_SEAL_INTERVAL_MS must be a whole number of milliseconds from 100 to 86400000, got "10s"');
    expect(errorOf({ JWT_JWKS_URL: 'file:///etc/passwd' })).toBe('JWT_JWKS_URL must be a https: or http: URL, got "file:///etc/passwd"');
    expect(errorOf({ CORS_ORIGINS: 'https://a.example, https://b.example/' })).toBe(
      'CORS_ORIGINS must list origins such as https://portal.example.com (scheme, host and port only, no trailing slash), or *, got "https://b.example/"',
    );
  });

  it('reports every wrong variable at once, in the table order, on one line', () => {
    expect(errorOf({ PROVISIONING_CONCURRENCY: '0', PORT: '-1' })).toBe(
      'PORT must be a whole number from 0 to 65535, got "-1"; PROVISIONING_CONCURRENCY must be a whole number >= 1, got "0"',
    );
  });

  it('never repeats a secret in a message', () => {
    const password = 'hunter2-do-not-print';
    expect(errorOf({ JWT_SECRET: password })).toBe('JWT_SECRET must be at least 32 bytes long');
    expect(errorOf({ DATABASE_URL: `mysql://dvmm:${password}@db/dvmm` })).toBe('DATABASE_URL must be a postgres: or postgresql: URL');
    expect(errorOf({ DATABASE_URL: password })).toBe('DATABASE_URL is not a URL');
    expect(errorOf({ DATABASE_READ_URL: `postgres://r1/dvmm, mysql://dvmm:${password}@r2/dvmm` })).toBe(
      'DATABASE_READ_URL must be a postgres: or postgresql: URL',
    );
  });

  it('takes read replicas as a comma-separated list, with their wait and lag bounds', () => {
    const config = parseConfig({
      DATABASE_READ_URL: 'postgres://r1:5432/dvmm, postgresql://r2/dvmm,',
      READ_REPLICA_WAIT_MS: '50',
      READ_REPLICA_MAX_LAG_MS: '1000',
    });
    expect(config.readReplicas).toEqual({ urls: ['postgres://r1:5432/dvmm', 'postgresql://r2/dvmm'], waitMs: 50, maxLagMs: 1_000 });
    expect(errorOf({ READ_REPLICA_WAIT_MS: '-1' })).toBe('READ_REPLICA_WAIT_MS must be a whole number of milliseconds from 0 to 10000, got "-1"');
  });

  it('is the only reader of process.env in src/', () => {
    const readers: string[] = [];
    const walk = (folder: string): void => {
      for (const name of readdirSync(folder)) {
        const path = join(folder, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts') && readFileSync(path, 'utf8').includes('process.env')) readers.push(relative(SRC, path));
      }
    };
    walk(SRC);
    // The portal's build sets NODE_ENV around Vite's build (Vite takes the bundle's mode from it) and restores it: it
    // reads no configuration.
    expect(readers.sort()).toEqual(['config/index.ts', 'http/portal/build.ts']);
  });
});

describe("README's configuration table", () => {
  it('is the one the schema prints (run `npm run config:table` when this fails)', () => {
    expect(readmeTableProblem()).toBeNull();
  });

  it('has one row per variable, secrets marked', () => {
    const rows = configTable().split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.map((row) => /^\| `([A-Z_]+)`/.exec(row)?.[1])).toEqual(Object.keys(VARIABLES));
    expect(rows.filter((row) => row.split(' | ')[3] === 'yes').map((row) => /`([A-Z_]+)`/.exec(row)?.[1])).toEqual([
      'DATABASE_URL',
      'DATABASE_READ_URL',
      'JWT_SECRET',
      'DVMM_SECRETS_KEYS',
      'DVMM_SEAL_KEY',
    ]);
  });

  it('is found stale when a row was edited by hand, and rewritten in place', () => {
    const copy = join(dir, 'README.md');
    const readme = readFileSync(README_FILE, 'utf8');
    writeFileSync(copy, readme.replace('| `PORT` | whole number, 0 to 65535 | `4000` |', '| `PORT` | whole number, 0 to 65535 | `8080` |'));
    expect(readmeTableProblem(copy)).toMatch(/configuration table is stale \(first difference at line \d+: .*8080.* should be .*4000/);
    expect(withConfigTable(readFileSync(copy, 'utf8'))).toBe(readme);
    writeFileSync(copy, '# no table here\n');
    expect(readmeTableProblem(copy)).toMatch(/no configuration table markers/);
  });
});
