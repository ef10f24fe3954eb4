import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

describe('test harness', () => {
  let a: TestDatabase;
  let b: TestDatabase;

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('gives every call its own database', async () => {
    expect(a.url).not.toBe(b.url);
    const [[ra], [rb]] = await Promise.all([
      a.sql<{ name: string }[]>`select current_database() as name`,
      b.sql<{ name: string }[]>`select current_database() as name`,
    ]);
    expect(ra?.name).not.toBe(rb?.name);
  });

  it('keeps tables and rows of one database out of the other', async () => {
    await a.sql`create table harness_probe (v text)`;
    await a.sql`insert into harness_probe values ('only in a')`;

    const [inB] = await b.sql<{ t: string | null }[]>`select to_regclass('harness_probe')::text as t`;
    expect(inB?.t).toBeNull();
    const rows = await a.sql<{ v: string }[]>`select v from harness_probe`;
    expect(rows.map((r) => r.v)).toEqual(['only in a']);
  });

  it('copies the migrated template: both databases have the same applied migrations', async () => {
    const count = async (t: TestDatabase) => {
      const [row] = await t.sql<{ ok: boolean }[]>`select to_regclass('drizzle.__drizzle_migrations') is not null as ok`;
      if (!row?.ok) return 0;
      const [n] = await t.sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
      return n?.n ?? 0;
    };
    expect(await count(a)).toBe(await count(b));
  });

  it('drops the database on close', async () => {
    const c = await createTestDatabase();
    const name = new URL(c.url).pathname.slice(1);
    await c.close();
    const [row] = await a.sql<{ n: number }[]>`select count(*)::int as n from pg_database where datname = ${name}`;
    expect(row?.n).toBe(0);
  });
});
