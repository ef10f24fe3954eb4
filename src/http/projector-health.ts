import type postgres from 'postgres';
import { PROJECTIONS, type Projector, readProjectionStatus } from '../projections/index.ts';
import type { LiveFeed } from '../graphql/context.ts';
import { PROVISIONING_JOBS_PROJECTION, type ProvisioningProcess } from '../provisioning/index.ts';
import type { ProjectionLag } from './metrics.ts';
import type { ReadinessCheck } from './readiness.ts';

// Under runChecks' own 2 s limit, so a slow part reports what it is waiting for instead of a bare timeout.
const ROUND_TRIP_MS = 1_500;

/**
 * /ready: the projector's lock and LISTEN connections answer (a NOTIFY round trip), its catch-up loop goes round,
 * and no projection it leads is stalled (its handler keeps failing on an event).
 */
export function projectorReadiness(projector: Pick<Projector, 'status' | 'check'>): ReadinessCheck {
  return async () => {
    // A stall is known here without a round trip, and is the likelier thing for an operator to look for.
    const stalled = projector.status().projections.filter((projection) => projection.stalled);
    if (stalled.length > 0) return { ok: false, detail: `stalled: ${stalled.map((projection) => projection.name).join(', ')}` };
    return projector.check(ROUND_TRIP_MS);
  };
}

/** /ready: the live feed hears a NOTIFY on its LISTEN connection, and its reads of changed rows work. */
export function liveFeedReadiness(live: Pick<LiveFeed, 'check'>): ReadinessCheck {
  return () => live.check(ROUND_TRIP_MS);
}

/** /ready: the provisioning process's loop goes round, and its lock and jobs-projection connections answer. */
export function provisioningReadiness(provisioning: Pick<ProvisioningProcess, 'check'>): ReadinessCheck {
  return () => provisioning.check(ROUND_TRIP_MS);
}

// The read models, and the provisioning process's job table, which is fed by a projection too.
const NAMES = [...PROJECTIONS.map((projection) => projection.name), PROVISIONING_JOBS_PROJECTION];

/** /metrics: how far each projection is behind the log, as recorded in the database (whichever process leads it). */
export async function projectionLag(sql: postgres.Sql): Promise<ProjectionLag[]> {
  const statuses = await readProjectionStatus(sql, NAMES);
  return statuses.map((status) => ({ projection: status.name, events: status.lagEvents, seconds: status.lagSeconds }));
}
