import type { Sql } from '../../src/db/client.ts';
import { PROJECTIONS, readProjectionStatus } from '../../src/projections/index.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Until every read model has projected every event (whichever instance leads the projector). */
export async function caughtUp(sql: Sql, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await readProjectionStatus(sql, PROJECTIONS.map((projection) => projection.name));
    const stalled = statuses.filter((status) => status.stalled);
    if (stalled.length > 0) throw new Error(`projections stalled: ${stalled.map((status) => `${status.name} (${status.stalled!.error})`).join('; ')}`);
    if (statuses.every((status) => status.lagEvents === 0)) return;
    if (Date.now() > deadline) throw new Error(`read models still behind after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}
