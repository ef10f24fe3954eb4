import type { RebuildProgress } from './rebuild.ts';

const WIDTH = 30;
const number = new Intl.NumberFormat('en-US');

/**
 * Events per second of wall time since the rebuild started. The bar and the final summary both print this, so the
 * last bar and the summary agree (they once divided different event counts by different clocks).
 */
export function eventsPerSecond(events: number, seconds: number): number {
  return events / Math.max(0.001, seconds);
}

/** "12,345 events/s" */
export function formatRate(events: number, seconds: number): string {
  return `${number.format(Math.round(eventsPerSecond(events, seconds)))} events/s`;
}

/** One line: bar, percentage, counts and rate. */
export function renderProgress(name: string, p: RebuildProgress): string {
  const ratio = p.total === 0 ? 1 : Math.min(1, p.applied / p.total);
  const filled = Math.round(ratio * WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
  return `rebuild ${name} [${bar}] ${(ratio * 100).toFixed(1).padStart(5)}% ${number.format(p.applied)}/${number.format(p.total)} events, ${formatRate(p.applied, p.seconds)}`;
}

/**
 * Redraws in place on a terminal; elsewhere (logs, CI) writes a line at most every two seconds. `done` draws the
 * final state (the swap adds events and time after the last batch), so the last line matches the summary.
 */
export function progressWriter(
  stream: { write(text: string): unknown; isTTY?: boolean },
  name: string,
): { update(p: RebuildProgress): void; done(final: { events: number; seconds: number }): void } {
  let lastLine = 0;
  let total = 0;
  return {
    update(p) {
      total = p.total;
      if (stream.isTTY) {
        stream.write(`\r${renderProgress(name, p)}`);
      } else if (Date.now() - lastLine >= 2000) {
        lastLine = Date.now();
        stream.write(`${renderProgress(name, p)}\n`);
      }
    },
    done(final) {
      const line = renderProgress(name, { applied: final.events, total: Math.max(total, final.events), seconds: final.seconds });
      stream.write(stream.isTTY ? `\r${line}\n` : `${line}\n`);
    },
  };
}
