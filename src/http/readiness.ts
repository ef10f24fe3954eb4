import { readFileSync } from 'node:fs';
import type postgres from 'postgres';
import { outageLog, type OutageLog } from '../db/outage-log.ts';

export interface CheckResult {
  ok: boolean;
  detail?: string;
  /** A read replica's: in rotation, lagging or down (read-routing/replica-checks.ts). */
  state?: string;
  /** A read replica's replay lag at its last probe. */
  lagSeconds?: number | null;
}

/** One named condition of /ready, e.g. the projector: `{ projector: () => ({ ok: !stalled }) }`. */
export type ReadinessCheck = () => Promise<CheckResult> | CheckResult;

// /ready is polled by load balancers: a check that hangs (a database that accepts TCP but never answers) must
// turn into "not ready" quickly instead of stacking up requests.
const CHECK_TIMEOUT_MS = 2_000;

/** Where runChecks reports a check that threw or timed out (`failed`), and one that answered (`answered`). */
export interface CheckLog {
  failed(name: string, error: unknown): void;
  answered(name: string): void;
}

/**
 * /ready is polled every few seconds: during an outage, logging each failed poll would bury the log. Each check
 * name gets its own outage log: one line when it starts failing, one when it answers again (with how long it took).
 */
export function checkOutageLog(log: (line: string) => void): CheckLog {
  const outages = new Map<string, OutageLog>();
  const of = (name: string): OutageLog => {
    let outage = outages.get(name);
    if (!outage) outages.set(name, (outage = outageLog(log, `readiness check ${name}`, '/ready says not ready until it answers')));
    return outage;
  };
  return { failed: (name, error) => of(name).failed(error), answered: (name) => outages.get(name)?.recovered() };
}

/**
 * Runs every check at once. A check that throws or times out fails with a generic detail; its error goes to
 * `log` only. A check that answers, even "not ready", ends its outage: what it says is in /ready's answer.
 */
export async function runChecks(
  checks: Record<string, ReadinessCheck>,
  log: CheckLog = { failed: () => {}, answered: () => {} },
): Promise<{ ok: boolean; checks: Record<string, CheckResult> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, name, log)] as const),
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

const TIMED_OUT = Symbol('timed out');

async function runCheck(check: ReadinessCheck, name: string, log: CheckLog): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), CHECK_TIMEOUT_MS);
  });
  try {
    const result = await Promise.race([Promise.resolve().then(check), timeout]);
    if (result === TIMED_OUT) {
      const detail = `no answer within ${CHECK_TIMEOUT_MS} ms`;
      log.failed(name, new Error(detail));
      return { ok: false, detail };
    }
    log.answered(name);
    return result;
  } catch (error) {
    // /ready is public: connection strings and SQL in error messages stay in the log.
    log.failed(name, error);
    return { ok: false, detail: 'check failed' };
  } finally {
    clearTimeout(timer);
  }
}
