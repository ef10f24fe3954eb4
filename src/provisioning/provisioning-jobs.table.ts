import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * One row per approved VM request: the provisioning process's to-do list and its memory between attempts.
 *
 * Rows are inserted by the `provisioning_jobs` projection in the same transaction as its checkpoint, so every
 * approval yields exactly one job. Where the request stands (started, which stage, ready) is read from its event
 * stream; the row only keeps what the events do not say: how many attempts were made, when the next one is due,
 * the last error, and whether the request is on its way to FAILED (compensation still to finish).
 */
export const provisioningJobs = pgTable(
  'provisioning_jobs',
  {
    requestId: uuid('request_id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    /** The approval's correlation id: every event provisioning writes carries it. */
    correlationId: text('correlation_id').notNull(),
    /** The approval event (see approvalEventId): what caused provisioning. */
    causationId: text('causation_id').notNull(),
    /** Global position of the approval event. */
    approvedPosition: bigint('approved_position', { mode: 'bigint' }).notNull(),
    /**
     * What the job does: PROVISION (from the approval), or the VM operation last requested after READY (POWER_OFF,
     * POWER_ON, DECOMMISSION), which takes the row over once provisioning is done: the causation, attempt, due time
     * and outcome are then the operation's (a decommission likewise takes over a pending power operation's row).
     */
    kind: text('kind').notNull().default('PROVISION'),
    /**
     * PENDING: to do or in progress; RETRYING: the next attempt follows compensation; FAILING: the request will fail
     * once compensation is done; CLEANUP: the request is FAILED but compensation could not run (the hypervisor
     * refused it): the VM the attempt may have left is still to be deleted; DONE.
     */
    status: text('status').notNull().default('PENDING'),
    /** The attempt in progress (or the next one): starts at 1, grows only when a retryable error schedules a retry. */
    attempt: integer('attempt').notNull().default(1),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastErrorCode: text('last_error_code'),
    lastErrorMessage: text('last_error_message'),
    /** CLEANUP: how many times compensation failed (its backoff grows with it), and how it last failed. */
    cleanupFailures: integer('cleanup_failures').notNull().default(0),
    cleanupError: text('cleanup_error'),
    /**
     * How the job ended: READY, FAILED, or SKIPPED (the request was no longer provisionable); for a VM operation DONE,
     * OPERATION_FAILED, or DECOMMISSIONED (also set when reconciliation records the VM deleted outside DVMM).
     */
    outcome: text('outcome'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('provisioning_jobs_due_idx').on(t.nextAttemptAt).where(sql`status <> 'DONE'`)],
);
