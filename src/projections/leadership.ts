import type postgres from 'postgres';
import type { Sql } from '../event-store/types.ts';
import { dedicatedConnection, withTimeout } from './connection.ts';

/** First key of every projection leader lock ('DVMM'); the second is hashtext(projection name). */
export const LEADER_LOCK_CLASS = 0x44564d4d;

export interface Leadership {
  /**
   * Which of `names` this process leads now: the locks it still holds, plus the free ones it takes. Checking pg_locks
   * rather than remembering makes a silently replaced connection (locks gone) visible. Throws when the lock
   * connection is down; the caller then leads nothing.
   */
  refresh(names: readonly string[]): Promise<Set<string>>;
  /** A round trip on the lock connection within `timeoutMs` (for /ready); throws otherwise. */
  ping(timeoutMs: number): Promise<void>;
  /** Releases every lock and closes the connection. */
  close(): Promise<void>;
}

/**
 * Leader election per projection with session advisory locks on one dedicated connection. Postgres releases them
 * the moment that backend ends (process killed, connection terminated), so a standby's next `refresh` (every ~1 s)
 * takes over. `onLost` fires when the connection closes, so the leader stops at once instead of at its next check.
 */
export function createLeadership(sql: postgres.Sql, applicationName: string, onLost: () => void): Leadership {
  let closing = false;
  const lock = dedicatedConnection(sql, {
    applicationName,
    onclose: () => {
      if (!closing) onLost();
    },
  });
  return {
    async refresh(names) {
      if (names.length === 0) return new Set();
      // coalesce evaluates lazily: a lock already held is not taken again (that would nest it).
      const rows = await lock<{ name: string; leading: boolean }[]>`
        select name, coalesce(
          (select true from pg_locks l
           where l.locktype = 'advisory' and l.pid = pg_backend_pid() and l.granted
             and l.database = (select oid from pg_database where datname = current_database())
             and l.classid = ${LEADER_LOCK_CLASS}::int::oid and l.objid = hashtext(name)::oid and l.objsubid = 2),
          pg_try_advisory_lock(${LEADER_LOCK_CLASS}::int, hashtext(name))) as leading
        from unnest(${names as string[]}::text[]) as name`;
      return new Set(rows.filter((row) => row.leading).map((row) => row.name));
    },
    async ping(timeoutMs) {
      await withTimeout(lock`select 1`, timeoutMs);
    },
    async close() {
      closing = true;
      try {
        await lock`select pg_advisory_unlock_all()`;
      } catch {
        // The connection is gone, and its locks with it.
      }
      await lock.end({ timeout: 1 });
    },
  };
}

export interface LeaderInfo {
  name: string;
  pid: number;
  applicationName: string;
  clientAddr: string | null;
}

/** Who holds each projection's leader lock, from any connection. */
export async function readLeaders(sql: Sql, names: readonly string[]): Promise<Map<string, LeaderInfo>> {
  const rows = await sql<{ name: string; pid: number; application_name: string; client_addr: string | null }[]>`
    select n.name, l.pid, a.application_name, a.client_addr::text
    from unnest(${names as string[]}::text[]) as n(name)
    join pg_locks l on l.locktype = 'advisory' and l.granted
      and l.database = (select oid from pg_database where datname = current_database())
      and l.classid = ${LEADER_LOCK_CLASS}::int::oid and l.objid = hashtext(n.name)::oid and l.objsubid = 2
    left join pg_stat_activity a on a.pid = l.pid`;
  return new Map(
    rows.map((row) => [row.name, { name: row.name, pid: row.pid, applicationName: row.application_name ?? '', clientAddr: row.client_addr }]),
  );
}
