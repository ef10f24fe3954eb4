import type postgres from 'postgres';
import { dedicatedConnection } from '../../projections/connection.ts';

export interface ChangeListener {
  listening(): boolean;
  stop(): Promise<void>;
}

export interface ChangeListenerOptions {
  sql: postgres.Sql;
  channel: string;
  applicationName: string;
  onPayload: (payload: string) => void;
  /** LISTEN is in place, for the first time or again after the connection dropped (notifications in between are lost). */
  onListen: (first: boolean) => void;
  log: (line: string) => void;
  retryMs?: number;
}

/**
 * The process's one LISTEN connection (direct, outside the pool). postgres.js's own `listen` re-LISTENs once after
 * a drop and gives up if that fails; this one keeps retrying, and reports every re-LISTEN so the feed can catch up.
 */
export async function startChangeListener(options: ChangeListenerOptions): Promise<ChangeListener> {
  const { channel, log } = options;
  const retryMs = options.retryMs ?? 1000;
  let stopped = false;
  let listening = false;
  let listenedBefore = false;
  let relistening: Promise<void> | null = null;

  const client = dedicatedConnection(options.sql, {
    applicationName: options.applicationName,
    onnotify: (name, payload) => {
      if (name === channel) options.onPayload(payload);
    },
    onclose: () => {
      if (stopped) return;
      if (listening) log(`[live] LISTEN ${channel} connection lost; listening again`);
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
      if (!stopped) log(`[live] LISTEN ${channel} failed: ${(error as Error).message}; retrying in ${retryMs} ms`);
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
