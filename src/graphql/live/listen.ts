import type postgres from 'postgres';
import { startWakeListener, type WakeListener } from '../../projections/listener.ts';

export type ChangeListener = WakeListener;

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
 * The process's one LISTEN connection for changes (direct, outside the pool): the projector's re-LISTENing
 * listener, handing on each payload and every re-LISTEN so the feed can catch up.
 */
export function startChangeListener(options: ChangeListenerOptions): Promise<ChangeListener> {
  const { onPayload, log, ...rest } = options;
  return startWakeListener({ ...rest, onWake: onPayload, log: (line) => log(`[live] ${line}`) });
}
