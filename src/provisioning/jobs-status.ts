import type { Sql } from '../event-store/index.ts';
import { JOB_LOCK_SPACE, WORKER_APPLICATION_NAME } from './job-locks.ts';
import { JOB_OUTCOMES, JOB_STATUSES, type JobOutcome, type JobStatus } from './jobs.ts';

/** A job some process drives right now (it holds the job's advisory lock). */
export interface RunningJob {
  requestId: string;
  status: JobStatus;
  attempt: number;
  pid: number;
  applicationName: string;
}

export interface JobError {
  requestId: string;
  status: JobStatus;
  outcome: JobOutcome | null;
  attempt: number;
  code: string;
  message: string;
  secondsAgo: number;
}

/** A FAILED request whose VM the hypervisor would not let us delete yet (job CLEANUP). */
export interface PendingCleanup {
  requestId: string;
  /** Failed compensations so far. */
  failures: number;
  /** How the last one failed: "CODE: message". */
  error: string;
  /** Seconds until the next try; negative: due that long ago. */
  nextInSeconds: number;
}

/** What an operator needs to know about the provisioning jobs, read from the database (any process can ask). */
export interface ProvisioningJobsStatus {
  counts: Record<JobStatus, number>;
  /** PENDING jobs whose attempt is due now (running or waiting for a worker). */
  dueNow: number;
  outcomes: Record<JobOutcome, number>;
  running: RunningJob[];
  /** The unfinished job approved first; null when every job is done. */
  oldest: {
    requestId: string;
    status: JobStatus;
    attempt: number;
    ageSeconds: number;
    /** Seconds since its attempt fell due; negative: due in that many seconds. */
    overdueSeconds: number;
    running: boolean;
  } | null;
  /** Processes with a provisioning worker (connected to this database). */
  workers: { pid: number; applicationName: string }[];
  /** The latest errors of unfinished or FAILED jobs, newest first. */
  errors: JobError[];
  /** VMs still to be deleted for FAILED requests (counts.CLEANUP in all; these are the first approved). */
  cleanups: PendingCleanup[];
}

const ERRORS_SHOWN = 5;

/**
 * Counts by state, the oldest unfinished job, who drives what, and the latest errors. Ages use the database's clock,
 * as the worker does. "Running" means a process holds the job's advisory lock (job-locks.ts), the only way to see
 * another process's work; workers are found by the application_name of their lock connection.
 */
export async function readProvisioningJobsStatus(sql: Sql): Promise<ProvisioningJobsStatus> {
  const [counts, running, oldest, workers, errors, cleanups] = await Promise.all([
    sql<{ status: JobStatus; outcome: JobOutcome | null; jobs: number; due: number }[]>`
      select status, outcome, count(*)::int as jobs,
             (count(*) filter (where status = 'PENDING' and next_attempt_at <= now()))::int as due
      from provisioning_jobs group by status, outcome`,
    sql<{ request_id: string; status: JobStatus; attempt: number; pid: number; application_name: string | null }[]>`
      select j.request_id::text, j.status, j.attempt, l.pid, a.application_name
      from provisioning_jobs j
      join pg_locks l on l.locktype = 'advisory' and l.granted and l.objsubid = 2
        and l.database = (select oid from pg_database where datname = current_database())
        and l.classid = ${JOB_LOCK_SPACE}::int::oid and l.objid = hashtext(j.request_id::text)::oid
      left join pg_stat_activity a on a.pid = l.pid
      where j.status <> 'DONE'
      order by j.created_at, j.request_id`,
    sql<{ request_id: string; status: JobStatus; attempt: number; age: number; overdue: number }[]>`
      select request_id::text, status, attempt, extract(epoch from now() - created_at)::float8 as age,
             extract(epoch from now() - next_attempt_at)::float8 as overdue
      from provisioning_jobs where status <> 'DONE'
      order by created_at, request_id limit 1`,
    sql<{ pid: number; application_name: string }[]>`
      select pid, application_name from pg_stat_activity
      where datname = current_database() and application_name like ${`${WORKER_APPLICATION_NAME} %`}
      order by backend_start`,
    sql<{ request_id: string; status: JobStatus; outcome: JobOutcome | null; attempt: number; code: string; message: string | null; ago: number }[]>`
      select request_id::text, status, outcome, attempt, last_error_code as code, last_error_message as message,
             extract(epoch from now() - updated_at)::float8 as ago
      from provisioning_jobs
      where last_error_code is not null and (status <> 'DONE' or outcome in ('FAILED', 'OPERATION_FAILED'))
      order by updated_at desc limit ${ERRORS_SHOWN}`,
    sql<{ request_id: string; failures: number; error: string | null; next_in: number }[]>`
      select request_id::text, cleanup_failures as failures, cleanup_error as error,
             extract(epoch from next_attempt_at - now())::float8 as next_in
      from provisioning_jobs where status = 'CLEANUP'
      order by created_at, request_id limit ${ERRORS_SHOWN}`,
  ]);
  const byStatus = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
  const outcomes = Object.fromEntries(JOB_OUTCOMES.map((outcome) => [outcome, 0])) as Record<JobOutcome, number>;
  let dueNow = 0;
  for (const row of counts) {
    byStatus[row.status] = (byStatus[row.status] ?? 0) + row.jobs;
    if (row.outcome) outcomes[row.outcome] = (outcomes[row.outcome] ?? 0) + row.jobs;
    dueNow += row.due;
  }
  const first = oldest[0];
  return {
    counts: byStatus,
    dueNow,
    outcomes,
    running: running.map((row) => ({
      requestId: row.request_id,
      status: row.status,
      attempt: row.attempt,
      pid: row.pid,
      applicationName: row.application_name ?? '',
    })),
    oldest: first
      ? {
          requestId: first.request_id,
          status: first.status,
          attempt: first.attempt,
          ageSeconds: Math.max(0, first.age),
          overdueSeconds: first.overdue,
          running: running.some((row) => row.request_id === first.request_id),
        }
      : null,
    workers: workers.map((row) => ({ pid: row.pid, applicationName: row.application_name })),
    errors: errors.map((row) => ({
      requestId: row.request_id,
      status: row.status,
      outcome: row.outcome,
      attempt: row.attempt,
      code: row.code,
      message: row.message ?? '',
      secondsAgo: Math.max(0, row.ago),
    })),
    cleanups: cleanups.map((row) => ({
      requestId: row.request_id,
      failures: row.failures,
      error: row.error ?? '',
      nextInSeconds: row.next_in,
    })),
  };
}
