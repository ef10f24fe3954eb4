import type postgres from 'postgres';
import { PROJECTIONS, type Projector, readProjectionStatus } from '../projections/index.ts';
import { PROVISIONING_JOBS_PROJECTION } from '../provisioning/index.ts';
import type { ProjectionLag } from './metrics.ts';
import type { ReadinessCheck } from './readiness.ts';

/** /ready: not ready while a projection this process leads is stalled (its handler keeps failing on an event). */
export function projectorReadiness(projector: Projector): ReadinessCheck {
  return () => {
    const stalled = projector.status().projections.filter((projection) => projection.stalled);
    return stalled.length === 0
      ? { ok: true }
      : { ok: false, detail: `stalled: ${stalled.map((projection) => projection.name).join(', ')}` };
  };
}

// The read models, and the provisioning process's job table, which is fed by a projection too.
const NAMES = [...PROJECTIONS.map((projection) => projection.name), PROVISIONING_JOBS_PROJECTION];

/** /metrics: how far each projection is behind the log, as recorded in the database (whichever process leads it). */
export async function projectionLag(sql: postgres.Sql): Promise<ProjectionLag[]> {
  const statuses = await readProjectionStatus(sql, NAMES);
  return statuses.map((status) => ({ projection: status.name, events: status.lagEvents, seconds: status.lagSeconds }));
}
