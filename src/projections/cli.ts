import type postgres from 'postgres';
import { PROVISIONING_JOBS_PROJECTION } from '../provisioning/jobs-projection.ts';
import { describeProvisioningJobs } from '../provisioning/jobs-status-text.ts';
import { readProvisioningJobsStatus } from '../provisioning/jobs-status.ts';
import { PROJECTIONS } from './index.ts';
import { formatRate, progressWriter } from './progress-bar.ts';
import { rebuildProjection } from './rebuild.ts';
import { readProjectionStatus, type ProjectionStatus } from './status.ts';

export const PROJECTIONS_USAGE = `usage: npm run cli -- projections status
         every projection (the read models and ${PROVISIONING_JOBS_PROJECTION}): checkpoint, lag, leader, stall;
         then the provisioning jobs: counts by state, the oldest unfinished job, workers, latest errors.
         Exit code 2 when a projection is stalled.
       npm run cli -- projections rebuild <name>     (${PROJECTIONS.map((p) => p.name).join(', ')})
         replays the log into fresh tables while the live ones serve, then swaps them in.`;

/** Read models first, then the projection that turns approvals into jobs (it cannot be rebuilt: jobs hold state). */
const STATUS_NAMES = [...PROJECTIONS.map((p) => p.name), PROVISIONING_JOBS_PROJECTION];

function describeStatus(s: ProjectionStatus): string[] {
  const checkpoint = s.checkpoint ? `tx ${s.checkpoint.transactionId} position ${s.checkpoint.position}` : 'never ran';
  const leader = s.leader ? `pid ${s.leader.pid} (${s.leader.applicationName || 'unnamed'}${s.leader.clientAddr ? ` from ${s.leader.clientAddr}` : ''})` : 'none running';
  const state = s.stalled
    ? `STALLED at event position ${s.stalled.position} since ${s.stalled.since.toISOString()}: ${s.stalled.error}`
    : s.lagEvents === 0
      ? 'caught up'
      : s.leader
        ? 'catching up'
        : `behind, and no projector is running it${s.checkpoint ? '' : ' (it starts from event zero when one does)'}`;
  return [
    `${s.name}`,
    `  checkpoint  ${checkpoint}${s.updatedAt ? ` (updated ${s.updatedAt.toISOString()})` : ''}`,
    `  lag         ${s.lagEvents} events, ${s.lagSeconds.toFixed(1)} s`,
    `  leader      ${leader}`,
    `  state       ${state}`,
  ];
}

/**
 * What is wrong with the arguments (the message for stderr), or null. Needs no database, so a mistake is told
 * before any connection is attempted.
 */
export function projectionsUsageError(args: readonly string[]): string | null {
  const [subcommand, name] = args;
  if (subcommand === 'status') return null;
  if (subcommand === 'rebuild' && name) {
    return PROJECTIONS.some((p) => p.name === name) ? null : `unknown projection ${name}\n${PROJECTIONS_USAGE}`;
  }
  return PROJECTIONS_USAGE;
}

/** `projections <subcommand>`; returns the exit code. */
export async function projectionsCommand(sql: postgres.Sql, args: readonly string[]): Promise<number> {
  const usageError = projectionsUsageError(args);
  if (usageError !== null) {
    console.error(usageError);
    return 1;
  }
  const [subcommand, name] = args;
  if (subcommand === 'status') {
    const [statuses, jobs] = await Promise.all([readProjectionStatus(sql, STATUS_NAMES), readProvisioningJobsStatus(sql)]);
    console.log([...statuses.flatMap(describeStatus), ...describeProvisioningJobs(jobs)].join('\n'));
    return statuses.some((s) => s.stalled) ? 2 : 0;
  }
  // Checked above: otherwise it is rebuild, with the name of a projection.
  const projection = PROJECTIONS.find((p) => p.name === name)!;
  const progress = progressWriter(process.stderr, projection.name);
  const result = await rebuildProjection({
    sql,
    projection,
    onProgress: progress.update,
    log: (line) => process.stderr.write(`\n${line}\n`),
  });
  progress.done(result);
  console.log(
    `rebuilt ${projection.name}: ${result.events} events in ${result.seconds.toFixed(1)} s ` +
      `(${formatRate(result.events, result.seconds)}), ` +
      `checkpoint tx ${result.checkpoint.transactionId} position ${result.checkpoint.position}`,
  );
  return 0;
}
