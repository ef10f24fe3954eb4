import type postgres from 'postgres';
import { dedicatedConnection } from './connection.ts';
import type { Log } from './types.ts';

export interface WakeListener {
  listening(): boolean;
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
  retryMs?: number;
}

/**
 * LISTEN on a dedicated connection that re-LISTENs, retrying until it succeeds, whenever the connection drops
 * (postgres.js's own `listen` gives up after one failed re-LISTEN). Resolves once the first LISTEN is in place or
 * has failed; on failure it keeps retrying in the background, and the caller's poll covers the gap.
 */
export async function startWakeListener(options: WakeListenerOptions): Promise<WakeListener> {
  const { channel, log } = options;
  const retryMs = options.retryMs ?? 1000;
  let stopped = false;
  let listening = false;
  let listenedBefore = false;
  let relistening: Promise<void> | null = null;
  const client = dedicatedConnection(options.sql, {
    applicationName: options.applicationName,
    onnotify: (name, payload) => {
      if (name === channel) options.onWake(payload);
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
      await client.unsafe(`listen "${channel}"`);
      listening = true;
      const first = !listenedBefore;
      listenedBefore = true;
      options.onListen(first);
      return true;
    } catch (error) {
      log(`LISTEN ${channel} failed: ${(error as Error).message}; retrying in ${retryMs} ms (polling meanwhile)`);
      return false;
    }
  };

  const relisten = (): void => {
    if (relistening || stopped) return;
    relistening = (async () => {
      while (!stopped && !listening && !(await listenOnce())) {
        await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
      }
    })().finally(() => {
      relistening = null;
    });
  };

  if (!(await listenOnce())) relisten();
  return {
    listening: () => listening,
    async stop() {
      stopped = true;
      listening = false;
      await client.end({ timeout: 1 });
    },
  };
}
