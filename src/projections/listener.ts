import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { outageLog } from '../db/outage-log.ts';
import { dedicatedConnection, withTimeout } from './connection.ts';
import type { Log } from './types.ts';

export interface WakeListener {
  listening(): boolean;
  /**
   * A NOTIFY round trip within `timeoutMs`: sent on the LISTEN connection to a channel of its own, and heard by it.
   * Proves the connection both answers and delivers notifications (for /ready). Throws otherwise.
   */
  ping(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface WakeListenerOptions {
  sql: postgres.Sql;
  channel: string;
  applicationName: string;
  /** A notification arrived, with its payload. */
  onWake: (payload: string) => void;
  /**
   * LISTEN is in place, for the first time (`first`) or again after the connection dropped: whatever was notified
   * while it was not has to be caught up now.
   */
  onListen: (first: boolean) => void;
  log: Log;
  /** First pause before LISTEN is tried again; it doubles up to `retryMaxMs`. Defaults 250 and 2000 ms. */
  retryMs?: number;
  retryMaxMs?: number;
}

/**
 * LISTEN on a dedicated connection that re-LISTENs, retrying with backoff until it succeeds, whenever the connection
 * drops (postgres.js's own `listen` gives up after one failed re-LISTEN). Resolves once the first LISTEN is in place
 * or has failed; on failure it keeps retrying in the background, and the caller's poll covers the gap. Notifications
 * sent while the connection is down are lost: `onListen` tells the caller to read from its own cursor.
 */
export async function startWakeListener(options: WakeListenerOptions): Promise<WakeListener> {
  const { channel, log } = options;
  const retryMs = options.retryMs ?? 250;
  const retryMaxMs = Math.max(retryMs, options.retryMaxMs ?? 2_000);
  // A channel of this connection's own for ping(): other processes LISTENing on `channel` never hear the probes.
  const probeChannel = `dvmm_probe_${randomUUID().replaceAll('-', '')}`;
  const probes = new Map<string, () => void>();
  let stopped = false;
  let listening = false;
  let listenedBefore = false;
  let relistening: Promise<void> | null = null;
  const outage = outageLog(log, `LISTEN ${channel}`);
  const client = dedicatedConnection(options.sql, {
    applicationName: options.applicationName,
    onnotify: (name, payload) => {
      if (name === channel) options.onWake(payload);
      else if (name === probeChannel) probes.get(payload)?.();
    },
    onclose: () => {
      if (stopped) return;
      if (listening) log(`LISTEN ${channel} connection lost; listening again`);
      listening = false;
      relisten();
    },
  });

  const listenOnce = async (): Promise<boolean> => {
    try {
      await client.unsafe(`listen "${channel}"; listen "${probeChannel}"`);
      listening = true;
      outage.recovered();
      const first = !listenedBefore;
      listenedBefore = true;
      options.onListen(first);
      return true;
    } catch (error) {
      outage.failed(error);
      return false;
    }
  };

  const relisten = (): void => {
    if (relistening || stopped) return;
    relistening = (async () => {
      for (let delay = retryMs; !stopped && !listening && !(await listenOnce()); delay = Math.min(retryMaxMs, delay * 2)) {
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    })().finally(() => {
      relistening = null;
    });
  };

  if (!(await listenOnce())) relisten();
  return {
    listening: () => listening,
    async ping(timeoutMs) {
      if (!listening) throw new Error(`not listening on ${channel}`);
      const token = randomUUID();
      const heard = new Promise<void>((resolve) => probes.set(token, resolve));
      try {
        await withTimeout(
          (async () => {
            await client`select pg_notify(${probeChannel}, ${token})`;
            await heard;
          })(),
          timeoutMs,
        );
      } finally {
        probes.delete(token);
      }
    },
    async stop() {
      stopped = true;
      listening = false;
      await client.end({ timeout: 1 });
    },
  };
}
