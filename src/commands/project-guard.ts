import type postgres from 'postgres';
import { concurrencyConflict, type DomainError } from '../domain/index.ts';

/**
 * Keeps a VM request consistent with the project facts it was decided on (project ACTIVE, caller a member), even
 * when an archive or a member removal commits at the same moment.
 *
 * Project commands take the project's lock exclusively in their append transaction; a new VM request takes it shared
 * in its own and then re-reads the project's version. Either the project change committed first (the request sees
 * the new version and is decided again), or it waits for the request to commit (the request came first, which is a
 * valid order). A request is therefore never accepted against project facts that were already outdated.
 */
const lockKey = (projectId: string) => `dvmm:project:${projectId}`;

export const lockProjectForChange = async (tx: postgres.TransactionSql, projectId: string): Promise<null> => {
  await tx`select pg_advisory_xact_lock(hashtextextended(${lockKey(projectId)}, 0))`;
  return null;
};

export const checkProjectUnchanged = async (
  tx: postgres.TransactionSql,
  projectId: string,
  decidedOnVersion: number,
): Promise<DomainError | null> => {
  await tx`select pg_advisory_xact_lock_shared(hashtextextended(${lockKey(projectId)}, 0))`;
  const [row] = await tx<{ version: number }[]>`
    select coalesce(max(stream_version), 0)::int as version from events where stream_id = ${projectId}`;
  const actual = row?.version ?? 0;
  return actual === decidedOnVersion ? null : concurrencyConflict(decidedOnVersion, actual);
};
