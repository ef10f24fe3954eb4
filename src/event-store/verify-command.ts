import type postgres from 'postgres';
import { verifyAll, verifyStream } from './verify.ts';

/**
 * `npm run cli -- verify [streamId]`: recomputes the hash chain of one stream or of the whole store and says whether
 * it is intact or which event is the first broken one. Exit code 0 when intact, 2 when broken, for scripts and cron.
 */
export async function verifyCommand(sql: postgres.Sql, args: string[], out: (line: string) => void = console.log): Promise<number> {
  const [streamId] = args;
  const started = Date.now();
  const result = streamId ? await verifyStream(sql, streamId) : await verifyAll(sql);
  const scope = streamId ? `stream ${streamId}` : 'event store';
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  if (result.intact) {
    out(`${scope}: intact (${result.checked} events checked in ${seconds} s)`);
    return 0;
  }
  out(
    `${scope}: BROKEN at position ${result.position} (stream ${result.streamId}, version ${result.streamVersion}): ` +
      `${result.reason} (${result.checked} events checked)`,
  );
  return 2;
}
