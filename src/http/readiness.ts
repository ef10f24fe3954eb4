import { readFileSync } from 'node:fs';
import type postgres from 'postgres';

export interface CheckResult {
  ok: boolean;
  detail?: string;
}

/** One named condition of /ready, e.g. the projector: `{ projector: () => ({ ok: !stalled }) }`. */
export type ReadinessCheck = () => Promise<CheckResult> | CheckResult;

// /ready is polled by load balancers: a check that hangs (a database that accepts TCP but never answers) must
// turn into "not ready" quickly instead of stacking up requests.
const CHECK_TIMEOUT_MS = 2_000;

/** Runs every check at once. A check that throws fails with a generic detail; its message goes to `onError` only. */
export async function runChecks(
  checks: Record<string, ReadinessCheck>,
  onError: (name: string, error: unknown) => void = () => {},
): Promise<{ ok: boolean; checks: Record<string, CheckResult> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await withTimeout(check, (error) => onError(name, error))] as const),
  );
  return { ok: entries.every(([, result]) => result.ok), checks: Object.fromEntries(entries) };
}

export function databaseCheck(sql: postgres.Sql): ReadinessCheck {
  return async () => {
    await sql`select 1`;
    return { ok: true };
  };
}

/**
 * No pending migrations: every entry of drizzle's journal has its row in drizzle.__drizzle_migrations (drizzle
 * records a migration's journal `when` as created_at). An instance running older code against a newer schema
 * passes; one whose migrations did not run does not.
 */
export function migrationsCheck(sql: postgres.Sql, journalFile: string): ReadinessCheck {
  const expected = readJournal(journalFile);
  return async () => {
    if (expected.length === 0) return { ok: true };
    const [exists] = await sql<{ ok: boolean }[]>`select to_regclass('drizzle.__drizzle_migrations') is not null as ok`;
    if (!exists?.ok) return { ok: false, detail: `${expected.length} migration(s) pending` };
    const rows = await sql<{ createdAt: string }[]>`select created_at::text as "createdAt" from drizzle.__drizzle_migrations`;
    const applied = new Set(rows.map((row) => row.createdAt));
    const pending = expected.filter((entry) => !applied.has(String(entry.when)));
    return pending.length === 0
      ? { ok: true }
      : { ok: false, detail: `pending: ${pending.map((entry) => entry.tag).join(', ')}` };
  };
}

function readJournal(file: string): { tag: string; when: number }[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const journal = JSON.parse(text) as { entries?: { tag: string; when: number }[] };
  return journal.entries ?? [];
}

async function withTimeout(check: ReadinessCheck, onError: (error: unknown) => void): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (error) {
    // /ready is public: connection strings and SQL in error messages stay in the log.
    onError(error);
    return { ok: false, detail: 'check failed' };
  } finally {
    clearTimeout(timer);
  }
}
