import type { RebuildProgress } from './rebuild.ts';

const WIDTH = 30;
const number = new Intl.NumberFormat('en-US');

/** One line: bar, percentage, counts and rate. */
export function renderProgress(name: string, p: RebuildProgress): string {
  const ratio = p.total === 0 ? 1 : Math.min(1, p.applied / p.total);
  const filled = Math.round(ratio * WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
  return `rebuild ${name} [${bar}] ${(ratio * 100).toFixed(1).padStart(5)}% ${number.format(p.applied)}/${number.format(p.total)} events, ${number.format(Math.round(p.eventsPerSecond))} events/s`;
}

/** Redraws in place on a terminal; elsewhere (logs, CI) writes a line at most every two seconds. */
export function progressWriter(stream: NodeJS.WriteStream, name: string): { update(p: RebuildProgress): void; done(): void } {
  let lastLine = 0;
  let last: RebuildProgress | null = null;
  return {
    update(p) {
      last = p;
      if (stream.isTTY) {
        stream.write(`\r${renderProgress(name, p)}`);
      } else if (Date.now() - lastLine >= 2000) {
        lastLine = Date.now();
        stream.write(`${renderProgress(name, p)}\n`);
      }
    },
    done() {
      if (last) stream.write(stream.isTTY ? `\r${renderProgress(name, last)}\n` : `${renderProgress(name, last)}\n`);
    },
  };
}
