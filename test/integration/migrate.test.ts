import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSql, type Sql } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { testDatabaseName, withDatabase } from '../support/names.ts';
import { adminUrl } from '../support/db.ts';

// A migrations folder of our own, in the layout drizzle-kit writes, applied to an empty database of our own:
// the project's real migrations are already in every template copy.
function writeMigrations(dir: string, count: number): void {
  mkdirSync(join(dir, 'meta'), { recursive: true });
  const entries = Array.from({ length: count }, (_, i) => ({
    idx: i,
    version: '7',
    when: 1_700_000_000_000 + i,
    tag: `000${i}_step`,
    breakpoints: true,
  }));
  for (const e of entries) {
    writeFileSync(
      join(dir, `${e.tag}.sql`),
      `CREATE TABLE step_${e.idx} (id int);\n--> statement-breakpoint\nINSERT INTO step_${e.idx} VALUES (${e.idx});`,
    );
  }
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries }));
}

describe('runMigrations', () => {
  // Named like the harness's databases, so the run's teardown drops it even if this file crashes.
  const name = testDatabaseName(inject('dvmmRunId'));
  const dir = mkdtempSync(join(tmpdir(), 'dvmm-migrations-'));
  let admin: Sql;
  let clients: Sql[] = [];

  beforeAll(async () => {
    admin = createSql(adminUrl(), { max: 1 });
    await admin.unsafe(`create database "${name}"`);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const client = () => {
    const c = createSql(withDatabase(adminUrl(), name), { max: 3 });
    clients.push(c);
    return c;
  };

  it('applies nothing when the folder has no migrations yet', async () => {
    expect(await runMigrations(client(), join(dir, 'missing'))).toBe(0);
  });

  it('applies each migration exactly once when several processes migrate at the same time', async () => {
    writeMigrations(dir, 3);
    const results = await Promise.all([client(), client(), client(), client()].map((c) => runMigrations(c, dir)));
    expect(results.reduce((a, b) => a + b, 0)).toBe(3);
    expect(results.filter((n) => n === 3)).toHaveLength(1);

    const [row] = await client()<{ n: number }[]>`select count(*)::int as n from step_2`;
    expect(row?.n).toBe(1);
  });

  it('changes nothing when applied again, and applies only a newly added migration', async () => {
    expect(await runMigrations(client(), dir)).toBe(0);
    writeMigrations(dir, 4);
    expect(await runMigrations(client(), dir)).toBe(1);
    const [row] = await client()<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(row?.n).toBe(4);
  });
});
