/**
 * The appending side of bench/projector.ts's lag measurement, in its own process (as an API instance would be), so
 * its work does not compete with the projector for the event loop. Told `{ url, projectId, rate, seconds,
 * warmupSeconds }` over IPC, it appends one event at a time at `rate`/s (half of them new requests, half the next
 * step of an open one) and answers with each append's stream, position and commit time (performance.timeOrigin +
 * now(), comparable across processes).
 *
 * The first `warmupSeconds` of appends go at the same rate but are left out of the answer (only counted): a freshly
 * forked process is still loading modules, compiling hot code and opening its pool's connections, which makes its
 * first half second a few hundred milliseconds slower than anything an API process that has been running sees. The
 * measured window is the steady state after it.
 */
import { randomUUID } from 'node:crypto';
import { createSql } from '../src/db/client.ts';
import { createEventStore, type JsonObject } from '../src/event-store/index.ts';
import { requestStream, type Stream } from './projector.ts';

export interface AppenderTask {
  url: string;
  projectId: string;
  rate: number;
  seconds: number;
  /** Appends at `rate` for this long first, left out of the answer. */
  warmupSeconds: number;
}

export interface Appended {
  streamId: string;
  position: string;
  /** Epoch milliseconds (fractional) when the append's commit was acknowledged. */
  committedAt: number;
}

export type AppenderReply =
  /** `appended`: the measured window only; `warmup`: how many appends went before it, unmeasured. */
  | { kind: 'done'; appended: Appended[]; warmup: number }
  | { kind: 'error'; message: string };

const now = (): number => performance.timeOrigin + performance.now();

async function run(task: AppenderTask): Promise<{ appended: Appended[]; warmup: number }> {
  const sql = createSql(task.url, { max: 20, applicationName: 'dvmm-bench-appender' });
  // The default coalescing interval (3 ms), as the API runs it.
  const store = createEventStore(sql);
  const appended: Appended[] = [];
  const live: { stream: Stream; next: number }[] = [];
  let created = 0;
  const appendOne = async (measured: boolean): Promise<void> => {
    let entry = live.length > 20 && Math.random() < 0.5 ? live.splice(Math.floor(Math.random() * live.length), 1)[0]! : undefined;
    if (!entry) entry = { stream: requestStream(created++, task.projectId, 'acme'), next: 0 };
    const step = entry.stream.steps[entry.next]!;
    const result = await store.append(entry.stream.id, entry.next === 0 ? 'no_stream' : entry.next, [{ type: step.event.type, data: step.event.data as unknown as JsonObject }], {
      streamType: 'VmRequest',
      tenantId: 'acme',
      metadata: { tenantId: 'acme', userId: step.actor, correlationId: randomUUID(), causationId: null, commandId: randomUUID(), occurredAt: new Date().toISOString() },
    });
    const committedAt = now();
    if (measured) appended.push({ streamId: entry.stream.id, position: result.lastPosition.toString(), committedAt });
    entry.next++;
    if (entry.next < entry.stream.steps.length) live.push(entry);
  };
  try {
    const started = performance.now();
    const appends: Promise<void>[] = [];
    // One schedule through warm-up and measured window: the rate does not stop or jump between them.
    const warmup = Math.round(task.rate * task.warmupSeconds);
    for (let i = 0; i < warmup + task.rate * task.seconds; i++) {
      const wait = started + (i * 1000) / task.rate - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      appends.push(appendOne(i >= warmup));
    }
    await Promise.all(appends);
    await store.flush();
    return { appended, warmup };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

process.on('message', (task: AppenderTask) => {
  run(task).then(
    ({ appended, warmup }) => process.send!({ kind: 'done', appended, warmup } satisfies AppenderReply, () => process.exit(0)),
    (error: unknown) => process.send!({ kind: 'error', message: String(error) } satisfies AppenderReply, () => process.exit(1)),
  );
});
