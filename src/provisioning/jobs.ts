import type { VmOperation } from '../domain/index.ts';
import type { Sql } from '../event-store/index.ts';

/**
 * PENDING: the current attempt is due at next_attempt_at (or was interrupted and resumes then).
 * RETRYING: the attempt failed with a retryable error; the VM it left must go before the next attempt.
 * FAILING: the request will be FAILED; the VM it left must go first.
 * CLEANUP: the request is FAILED (or about to be recorded so), but the hypervisor refused compensation: the VM the
 *   attempt may have left is still to be deleted, tried again with backoff until the hypervisor answers.
 * DONE: nothing left to do (see outcome).
 */
export type JobStatus = 'PENDING' | 'RETRYING' | 'FAILING' | 'CLEANUP' | 'DONE';
export const JOB_STATUSES: readonly JobStatus[] = ['PENDING', 'RETRYING', 'FAILING', 'CLEANUP', 'DONE'];
/** Provisioning's: READY, FAILED, SKIPPED. A VM operation's: DONE, OPERATION_FAILED, DECOMMISSIONED. */
export type JobOutcome = 'READY' | 'FAILED' | 'SKIPPED' | 'DONE' | 'OPERATION_FAILED' | 'DECOMMISSIONED';
export const JOB_OUTCOMES: readonly JobOutcome[] = ['READY', 'FAILED', 'SKIPPED', 'DONE', 'OPERATION_FAILED', 'DECOMMISSIONED'];
/** PROVISION, or the VM operation requested after READY (see provisioning-jobs.table.ts). */
export type JobKind = 'PROVISION' | VmOperation;

export interface ProvisioningJob {
  requestId: string;
  tenantId: string;
  kind: JobKind;
  correlationId: string;
  causationId: string;
  status: JobStatus;
  attempt: number;
  nextAttemptAt: Date;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  outcome: JobOutcome | null;
  /** CLEANUP: failed compensations so far. */
  cleanupFailures: number;
}

// Timestamps are selected as epoch milliseconds: a Drizzle client on the same pool turns postgres.js's Date parsing
// off (timestamps would arrive as strings), so this file never depends on it.
const JOB_COLUMNS = `request_id, tenant_id, kind, correlation_id, causation_id, status, attempt,
  (extract(epoch from next_attempt_at) * 1000)::float8 as next_attempt_ms, last_error_code, last_error_message, outcome,
  cleanup_failures`;

interface JobRow {
  request_id: string;
  tenant_id: string;
  kind: JobKind;
  correlation_id: string;
  causation_id: string;
  status: JobStatus;
  attempt: number;
  next_attempt_ms: number;
  last_error_code: string | null;
  last_error_message: string | null;
  outcome: JobOutcome | null;
  cleanup_failures: number;
}

const toJob = (row: JobRow): ProvisioningJob => ({
  requestId: row.request_id,
  tenantId: row.tenant_id,
  kind: row.kind,
  correlationId: row.correlation_id,
  causationId: row.causation_id,
  status: row.status,
  attempt: row.attempt,
  nextAttemptAt: new Date(row.next_attempt_ms),
  lastErrorCode: row.last_error_code,
  lastErrorMessage: row.last_error_message,
  outcome: row.outcome,
  cleanupFailures: row.cleanup_failures,
});

export interface NewJob {
  requestId: string;
  tenantId: string;
  correlationId: string;
  causationId: string;
  approvedPosition: bigint;
}

/**
 * Called by the projection inside its checkpoint transaction. The checkpoint guard already makes a batch apply once;
 * ON CONFLICT covers a rebuild replaying approvals whose jobs exist (this is our table, not the event log).
 */
export async function insertJob(sql: Sql, job: NewJob): Promise<void> {
  await sql`
    insert into provisioning_jobs (request_id, tenant_id, correlation_id, causation_id, approved_position)
    values (${job.requestId}::uuid, ${job.tenantId}, ${job.correlationId}, ${job.causationId},
            ${job.approvedPosition.toString()}::bigint)
    on conflict (request_id) do nothing`;
}

export async function loadJob(sql: Sql, requestId: string): Promise<ProvisioningJob | null> {
  const [row] = await sql<JobRow[]>`
    select ${sql.unsafe(JOB_COLUMNS)} from provisioning_jobs where request_id = ${requestId}::uuid`;
  return row ? toJob(row) : null;
}

/** The job if it is unfinished and due now (checked again after taking its lock: another process may have moved it). */
export async function loadDueJob(sql: Sql, requestId: string): Promise<ProvisioningJob | null> {
  const [row] = await sql<JobRow[]>`
    select ${sql.unsafe(JOB_COLUMNS)} from provisioning_jobs
    where request_id = ${requestId}::uuid and status <> 'DONE' and next_attempt_at <= now()`;
  return row ? toJob(row) : null;
}

export interface Agenda {
  /** Jobs due now, oldest due first. */
  due: string[];
  /** Milliseconds until the earliest job that is not yet due becomes due, by the database's clock (null: none). */
  nextDueInMs: number | null;
}

/** The unfinished jobs by due time, read with the database's clock so that every process agrees. */
export async function agenda(sql: Sql, limit: number): Promise<Agenda> {
  const rows = await sql<{ request_id: string; due: boolean; wait_ms: number }[]>`
    select request_id, next_attempt_at <= now() as due,
           (extract(epoch from next_attempt_at - now()) * 1000)::float8 as wait_ms
    from provisioning_jobs
    where status <> 'DONE'
    order by next_attempt_at, request_id
    limit ${limit}`;
  const waiting = rows.find((row) => !row.due);
  return { due: rows.filter((row) => row.due).map((row) => row.request_id), nextDueInMs: waiting?.wait_ms ?? null };
}

/** Records how the attempt failed and what comes next (RETRYING or FAILING), before compensating. */
export async function markFailedAttempt(
  sql: Sql,
  requestId: string,
  status: 'RETRYING' | 'FAILING',
  code: string,
  message: string,
): Promise<void> {
  await sql`
    update provisioning_jobs
    set status = ${status}, last_error_code = ${code}, last_error_message = ${message}, updated_at = now()
    where request_id = ${requestId}::uuid`;
}

/**
 * Compensation of a final failure failed (the hypervisor refused it): the request is FAILED without waiting, and the
 * deletion is tried again after `delayMs`. Records the failure FAILED reports (code, message: the attempt's) the first
 * time, so that a crash before FAILED is recorded resumes with it; later calls only count the failed compensation.
 */
export async function markCleanupPending(
  sql: Sql,
  job: Pick<ProvisioningJob, 'requestId' | 'causationId'>,
  failure: { code: string; message: string; cleanupError: string; delayMs: number },
): Promise<void> {
  await sql`
    update provisioning_jobs
    set status = 'CLEANUP', last_error_code = ${failure.code}, last_error_message = ${failure.message},
        cleanup_failures = cleanup_failures + 1, cleanup_error = ${failure.cleanupError},
        next_attempt_at = now() + ${failure.delayMs} * interval '1 millisecond', updated_at = now()
    where request_id = ${job.requestId}::uuid and causation_id = ${job.causationId} and status <> 'DONE'`;
}

/**
 * After compensation: the next attempt is due at `at`, the time recorded on the request (VmProvisioningRetryScheduled),
 * so what clients are told and when the worker starts agree.
 */
export async function scheduleNextAttempt(sql: Sql, requestId: string, at: Date): Promise<void> {
  await sql`
    update provisioning_jobs
    set status = 'PENDING', attempt = attempt + 1,
        next_attempt_at = ${at.toISOString()}::timestamptz, updated_at = now()
    where request_id = ${requestId}::uuid and status = 'RETRYING'`;
}

/**
 * An outage of our own (database, a bug) interrupted the job: try the same step again later, counting nothing.
 * The last_error columns stay as they are: they hold the hypervisor's error a FAILING job will report.
 * Best effort: when the database is what failed, this fails too and the worker's own memory keeps the delay.
 */
export async function postpone(
  sql: Sql,
  job: Pick<ProvisioningJob, 'requestId' | 'causationId'>,
  delayMs: number,
): Promise<void> {
  // Not a job that took the row over meanwhile (a VM operation requested since): that one is due as it is.
  await sql`
    update provisioning_jobs
    set next_attempt_at = now() + ${delayMs} * interval '1 millisecond', updated_at = now()
    where request_id = ${job.requestId}::uuid and causation_id = ${job.causationId} and status <> 'DONE'`;
}

/**
 * Only while the row is still this job's: a VM operation requested meanwhile has taken it over (new causation), and
 * is left to run.
 */
export async function markDone(sql: Sql, job: Pick<ProvisioningJob, 'requestId' | 'causationId'>, outcome: JobOutcome): Promise<void> {
  await sql`
    update provisioning_jobs set status = 'DONE', outcome = ${outcome}, updated_at = now()
    where request_id = ${job.requestId}::uuid and causation_id = ${job.causationId}`;
}

export interface NewOperationJob {
  requestId: string;
  tenantId: string;
  operation: VmOperation;
  correlationId: string;
  /** The position of the event that requested the operation (see approvalEventId). */
  causationId: string;
  position: bigint;
}

/**
 * A VM operation requested after READY takes its request's row over: kind, causation, a first attempt due now. Only a
 * later request does (positions only grow), so a rebuild replaying old requests leaves the current one alone; the row
 * exists from the approval, and is inserted should it not.
 */
export async function upsertOperationJob(sql: Sql, job: NewOperationJob): Promise<void> {
  await sql`
    insert into provisioning_jobs (request_id, tenant_id, kind, correlation_id, causation_id, approved_position)
    values (${job.requestId}::uuid, ${job.tenantId}, ${job.operation}, ${job.correlationId}, ${job.causationId},
            ${job.position.toString()}::bigint)
    on conflict (request_id) do update set
      kind = excluded.kind, correlation_id = excluded.correlation_id, causation_id = excluded.causation_id,
      status = 'PENDING', attempt = 1, next_attempt_at = now(), last_error_code = null, last_error_message = null,
      outcome = null, updated_at = now()
    where provisioning_jobs.causation_id::bigint < excluded.causation_id::bigint`;
}

/** The VM was found deleted outside DVMM (VmDeletionObserved): nothing is left to reconcile for the request. */
export async function markDeletionObserved(sql: Sql, requestId: string): Promise<void> {
  await sql`
    update provisioning_jobs set status = 'DONE', outcome = 'DECOMMISSIONED', updated_at = now()
    where request_id = ${requestId}::uuid`;
}

/** A VM operation's attempt failed with a retryable error: the next one is due after `delayMs`. */
export async function scheduleOperationRetry(
  sql: Sql,
  job: Pick<ProvisioningJob, 'requestId' | 'causationId'>,
  delayMs: number,
  code: string,
  message: string,
): Promise<void> {
  await sql`
    update provisioning_jobs
    set attempt = attempt + 1, next_attempt_at = now() + ${delayMs} * interval '1 millisecond',
        last_error_code = ${code}, last_error_message = ${message}, updated_at = now()
    where request_id = ${job.requestId}::uuid and causation_id = ${job.causationId} and status = 'PENDING'`;
}
