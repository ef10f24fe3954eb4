import type postgres from 'postgres';
import type { AppendCondition } from '../event-store/index.ts';

/**
 * Keeps a VM request consistent with the project facts it was decided on (project ACTIVE, caller a member), even
 * when an archive or a member removal commits at the same moment.
 *
 * Project commands take the project's lock exclusively in their append transaction; a new VM request is appended
 * under a condition (AppendOptions.condition) that takes the same lock shared and then checks the project's
 * version in the insert itself. Either the project change committed first (the condition fails, and the request
 * is decided again on the new facts), or it waits for the request to commit (the request came first, which is a
 * valid order). A request is therefore never accepted against project facts that were already outdated.
 */
const lockKey = (projectId: string) => `dvmm:project:${projectId}`;

export const lockProjectForChange = async (tx: postgres.TransactionSql, projectId: string): Promise<null> => {
  await tx`select pg_advisory_xact_lock(hashtextextended(${lockKey(projectId)}, 0))`;
  return null;
};

/** The condition a VM request is appended under: its project still at the version it was decided on. */
export const projectUnchanged = (projectId: string, decidedOnVersion: number): AppendCondition => ({
  streamId: projectId,
  version: decidedOnVersion,
  sharedLock: lockKey(projectId),
});
