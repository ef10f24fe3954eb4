import type postgres from 'postgres';
import { PROJECTIONS } from './index.ts';
import { progressWriter } from './progress-bar.ts';
import { rebuildProjection } from './rebuild.ts';
import { readProjectionStatus, type ProjectionStatus } from './status.ts';

const USAGE = `usage: projections status
       projections rebuild <name>     (${PROJECTIONS.map((p) => p.name).join(', ')})`;

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

/** `projections <subcommand>`; returns the exit code. */
export async function projectionsCommand(sql: postgres.Sql, args: readonly string[]): Promise<number> {
  const [subcommand, name] = args;
  if (subcommand === 'status') {
    const statuses = await readProjectionStatus(sql, PROJECTIONS.map((p) => p.name));
    console.log(statuses.flatMap(describeStatus).join('\n'));
    return statuses.some((s) => s.stalled) ? 2 : 0;
  }
  if (subcommand === 'rebuild' && name) {
    const projection = PROJECTIONS.find((p) => p.name === name);
    if (!projection) {
      console.error(`unknown projection ${name}\n${USAGE}`);
      return 1;
    }
    const progress = progressWriter(process.stderr, name);
    const result = await rebuildProjection({
      sql,
      projection,
      onProgress: progress.update,
      log: (line) => process.stderr.write(`\n${line}\n`),
    });
    progress.done();
    console.log(
      `rebuilt ${name}: ${result.events} events in ${result.seconds.toFixed(1)} s ` +
        `(${Math.round(result.events / Math.max(result.seconds, 0.001))} events/s), ` +
        `checkpoint tx ${result.checkpoint.transactionId} position ${result.checkpoint.position}`,
    );
    return 0;
  }
  console.error(USAGE);
  return 1;
}
