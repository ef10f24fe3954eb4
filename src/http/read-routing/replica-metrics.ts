import { Counter, Gauge, type Registry } from 'prom-client';
import type { FallbackReason, ReadReplicas } from '../../db/read-replicas.ts';

const FALLBACK_REASONS: readonly FallbackReason[] = ['wait', 'no-replica', 'failed'];

/**
 * The read replicas' figures on /metrics, read from the router at each scrape (it keeps the counts, so it needs no
 * metrics library of its own): per replica its lag and whether it is in rotation, per target the reads routed
 * there, per reason the reads that went to the primary instead of a replica.
 */
export function readReplicaMetrics(registry: Registry, readers: Pick<ReadReplicas, 'status' | 'stats'>): void {
  new Gauge({
    name: 'dvmm_read_replica_lag_seconds',
    help: 'Replay lag of each read replica at its last probe',
    labelNames: ['replica'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const replica of readers.status()) if (replica.lagSeconds !== null) this.set({ replica: replica.name }, replica.lagSeconds);
    },
  });
  new Gauge({
    name: 'dvmm_read_replica_in_rotation',
    help: 'Whether each read replica takes reads (1) or is out of rotation, down or lagging (0)',
    labelNames: ['replica'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const replica of readers.status()) this.set({ replica: replica.name }, replica.state === 'in-rotation' ? 1 : 0);
    },
  });
  new Counter({
    name: 'dvmm_read_replica_reads_total',
    help: "Reads routed per target ('primary' or a replica), queries and the live feed's reads of versions",
    labelNames: ['target'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [target, count] of readers.stats().routed) this.inc({ target }, count);
    },
  });
  new Counter({
    name: 'dvmm_read_replica_fallbacks_total',
    help: 'Reads sent to the primary although replicas are configured: wait (no replica had the position in time), no-replica (none in rotation), failed (a replica lost the connection)',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const reason of FALLBACK_REASONS) this.inc({ reason }, readers.stats().fallbacks.get(reason) ?? 0);
    },
  });
}
