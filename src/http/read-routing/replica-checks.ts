import type { ReadReplicas } from '../../db/read-replicas.ts';
import type { ReadinessCheck } from '../readiness.ts';

/**
 * One /ready entry per replica (`replica-1` ...): its state and replay lag. Always ok: a replica that is down or
 * behind is out of rotation and reads go to the primary, so the instance can still serve. What went wrong (host and
 * driver message) goes to the log, not into this public answer.
 */
export function replicaChecks(readers: ReadReplicas): Record<string, ReadinessCheck> {
  return Object.fromEntries(
    readers.status().map(({ name }) => [
      name,
      () => {
        const status = readers.status().find((replica) => replica.name === name)!;
        return { ok: true, state: status.state, lagSeconds: status.lagSeconds };
      },
    ]),
  );
}
