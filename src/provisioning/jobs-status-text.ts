import type { ProvisioningJobsStatus, RunningJob } from './jobs-status.ts';

const LISTED = 5;

/** "42 s", "7 min", "3.5 h", "2.0 d" */
export function duration(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7_200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3_600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

const holder = (job: Pick<RunningJob, 'pid' | 'applicationName'>) => `pid ${job.pid}${job.applicationName ? ` (${job.applicationName})` : ''}`;

function more(count: number): string {
  return count > LISTED ? `, and ${count - LISTED} more` : '';
}

/** The `provisioning jobs` block of `projections status`. */
export function describeProvisioningJobs(s: ProvisioningJobsStatus): string[] {
  const { counts, outcomes } = s;
  const unfinished = counts.PENDING + counts.RETRYING + counts.FAILING + counts.CLEANUP;
  const lines = [
    'provisioning jobs',
    `  states      PENDING ${counts.PENDING} (${s.dueNow} due now), RETRYING ${counts.RETRYING}, FAILING ${counts.FAILING}, ` +
      `DONE ${counts.DONE} (READY ${outcomes.READY}, FAILED ${outcomes.FAILED}, SKIPPED ${outcomes.SKIPPED})`,
    `  operations  DONE ${outcomes.DONE}, OPERATION_FAILED ${outcomes.OPERATION_FAILED}, DECOMMISSIONED ${outcomes.DECOMMISSIONED}`,
    `  running     ${
      s.running.length === 0
        ? 'none'
        : s.running
            .slice(0, LISTED)
            .map((job) => `${job.requestId} (${job.status}, attempt ${job.attempt}) by ${holder(job)}`)
            .join(', ') + more(s.running.length)
    }`,
  ];
  if (s.oldest) {
    const o = s.oldest;
    const now = o.running
      ? 'running'
      : o.overdueSeconds >= 0
        ? `due for ${duration(o.overdueSeconds)}, not running`
        : `next attempt in ${duration(o.overdueSeconds)}`;
    lines.push(`  oldest      ${o.requestId} (${o.status}, attempt ${o.attempt}), queued ${duration(o.ageSeconds)} ago, ${now}`);
  }
  lines.push(
    `  workers     ${
      s.workers.length > 0
        ? s.workers.slice(0, LISTED).map(holder).join(', ') + more(s.workers.length)
        : `none connected${unfinished > 0 ? `: ${unfinished} unfinished job(s) wait for a server with provisioning enabled` : ''}`
    }`,
  );
  // A FAILED request's VM the hypervisor does not let us delete yet: an operator fixes the connection, the worker does the rest.
  lines.push(
    `  cleanups    ${
      counts.CLEANUP === 0
        ? 'none pending'
        : `${counts.CLEANUP} FAILED request(s) whose VM is still to be deleted: ` +
          s.cleanups
            .map(
              (c) =>
                `${c.requestId} (${c.failures} failed tries, next ${c.nextInSeconds > 0 ? `in ${duration(c.nextInSeconds)}` : 'due now'}` +
                `${c.error ? `: ${c.error}` : ''})`,
            )
            .join(', ') +
          more(counts.CLEANUP)
    }`,
  );
  if (s.errors.length > 0) {
    lines.push(
      ...s.errors.map(
        (e, i) =>
          `  ${i === 0 ? 'errors     ' : '           '} ${e.requestId} (${e.outcome ?? e.status}, attempt ${e.attempt}) ` +
          `${duration(e.secondsAgo)} ago: ${e.code}${e.message ? ` ${e.message}` : ''}`,
      ),
    );
  }
  return lines;
}
