import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSql } from '../../src/db/client.ts';
import { adminUrl, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { withDatabase } from '../support/names.ts';
import { runScript, runToEnd } from '../support/run-process.ts';

// `npm start` (src/main.ts) as a real process, started wrongly: the user gets one line that says what to change.

const STACK_FRAME = /^ {4}at /m;

// Each test starts real processes (tsx compiles the sources as they load): slow on a busy machine.
vi.setConfig({ testTimeout: 180_000 });
const secret = randomBytes(32).toString('base64url');

/** A database with nothing in it: if main got as far as migrating, it would hold tables afterwards. */
let empty: { url: string; drop(): Promise<void> };
let migrated: TestDatabase;

beforeAll(async () => {
  const name = `dvmm_start_errors_${randomBytes(4).toString('hex')}`;
  const admin = createSql(adminUrl(), { max: 1 });
  await admin.unsafe(`create database "${name}"`);
  empty = {
    url: withDatabase(adminUrl(), name),
    async drop() {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
  migrated = await createTestDatabase();
});
afterAll(async () => {
  await empty?.drop();
  await migrated?.close();
});

const tablesIn = async (url: string): Promise<number> => {
  const sql = createSql(url, { max: 1 });
  try {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`;
    return row!.n;
  } finally {
    await sql.end();
  }
};

function listen(port: number, host?: string): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
const portOf = (server: Server) => (server.address() as { port: number }).port;

const env = (extra: Record<string, string>) => ({ JWT_SECRET: secret, PROVISIONING_ENABLED: 'false', ...extra });

describe('a taken PORT', () => {
  it('stops before the database starts: one line naming the port, exit 1', async () => {
    const holder = await listen(0);
    try {
      const port = portOf(holder);
      const { code, stdout, stderr } = await runToEnd('src/main.ts', [], env({ PORT: String(port), DATABASE_URL: empty.url }));
      expect(stderr).toBe(`[main] port ${port} is in use: set PORT\n`);
      expect(stdout).toBe('');
      expect(code).toBe(1);
      // Not connected, not migrated: the database is as empty as before.
      expect(await tablesIn(empty.url)).toBe(0);
    } finally {
      await close(holder);
    }
  });

  it('names HOST too when it is set', async () => {
    const holder = await listen(0, '127.0.0.1');
    try {
      const port = portOf(holder);
      const { code, stderr } = await runToEnd('src/main.ts', [], env({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: empty.url }));
      expect(stderr).toBe(`[main] port ${port} on 127.0.0.1 is in use: set PORT or HOST\n`);
      expect(code).toBe(1);
      expect(await tablesIn(empty.url)).toBe(0);
    } finally {
      await close(holder);
    }
  });

  it('taken after the check (while the database starts): the same one line, no stack trace', async () => {
    const free = await listen(0, '127.0.0.1');
    const port = portOf(free);
    await close(free);
    const main = runScript('src/main.ts', [], env({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: migrated.url }));
    let holder: Server | null = null;
    try {
      // The port was free at the check; take it while main connects, starts its parts and seeds.
      await main.waitFor(/^\[db\] /);
      holder = await listen(port, '127.0.0.1');
      const { code, stderr } = await main.finished;
      expect(code).toBe(1);
      expect(stderr).not.toMatch(STACK_FRAME);
      expect(stderr).not.toContain('Internal error');
      expect(stderr.trim().split('\n').at(-1)).toBe(`[main] port ${port} on 127.0.0.1 is in use: set PORT or HOST`);
    } finally {
      main.child.kill('SIGKILL');
      if (holder) await close(holder);
    }
  });
});

describe('a bad configuration', () => {
  it.each([
    [{ PORT: 'eighty' }, '[main] PORT must be a whole number from 0 to 65535, got "eighty"'],
    [{ DATABASE_POOL_MAX: '1' }, '[main] DATABASE_POOL_MAX must be a whole number from 2 to 1000, got "1"'],
    [{ NODE_ENV: 'production', JWT_SECRET: '' }, '[main] JWT_SECRET or JWT_JWKS_URL must be set when NODE_ENV=production'],
    [{ JWT_SECRET: 'short' }, '[main] JWT_SECRET must be at least 32 bytes long'],
    [
      { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) },
      "[main] DVMM_SECRETS_KEYS must be set when NODE_ENV=production (it encrypts the tenants' vCenter passwords): id:<base64 of 32 bytes>, e.g. k1:$(openssl rand -base64 32)",
    ],
    [{ DVMM_SECRETS_KEYS: 'k1:c2hvcnQ=' }, '[main] DVMM_SECRETS_KEYS entry 1 (key k1) must be base64 of exactly 32 random bytes (openssl rand -base64 32)'],
    [{ PROVISIONING_MAX_ATTEMPTS: '0' }, '[main] PROVISIONING_MAX_ATTEMPTS must be a whole number >= 1, got "0"'],
  ])('%o: the message alone, exit 1', async (variables, message) => {
    const { code, stdout, stderr } = await runToEnd('src/main.ts', [], env({ PORT: '0', DATABASE_URL: empty.url, ...variables }));
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(stderr).toBe(`${message}\n`);
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });
});
