// Names of the databases one test run creates. The run id starts with the start time (base 36), so a later run can
// tell a leftover of a crashed run from a database a concurrent run on the same server is still using.

export const TEMPLATE_PREFIX = 'dvmm_tpl_';
export const TEST_DB_PREFIX = 'dvmm_t_';

export function newRunId(now: number = Date.now()): string {
  return `${now.toString(36)}_${randomSuffix()}`;
}

export function templateName(runId: string): string {
  return `${TEMPLATE_PREFIX}${runId}`;
}

export function testDatabaseName(runId: string): string {
  return `${TEST_DB_PREFIX}${runId}_${randomSuffix()}`;
}

/** Start time of the run that created database `name`, or undefined when the name is not one of ours. */
export function runStartedAt(name: string): number | undefined {
  if (name.startsWith(TEMPLATE_PREFIX)) return runIdStartedAt(name.slice(TEMPLATE_PREFIX.length));
  if (name.startsWith(TEST_DB_PREFIX)) return runIdStartedAt(name.slice(TEST_DB_PREFIX.length));
  return undefined;
}

/** Start time encoded at the front of a run id (or of anything that starts with one). */
export function runIdStartedAt(text: string): number | undefined {
  const stamp = text.slice(0, 8);
  if (!/^[0-9a-z]{8}$/.test(stamp) || (text.length > 8 && text[8] !== '_')) return undefined;
  const ms = parseInt(stamp, 36);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Same server, other database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 8).padEnd(6, '0');
}
