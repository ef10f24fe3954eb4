import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** The machine's busy and idle CPU time so far (all cores, /proc/stat's first line), in seconds. */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / TICKS_PER_SECOND, total: (busy + idle + iowait) / TICKS_PER_SECOND };
}

/**
 * Cores the whole machine kept busy from now until the returned function is called, whoever used them: set beside a
 * benchmark's own processes, it shows how much of the machine other work took during the measurement.
 */
export function machineMeter(): () => { busyCores: number; seconds: number } {
  const start = machineTicks();
  const wall = performance.now();
  return () => {
    const now = machineTicks();
    const seconds = (performance.now() - wall) / 1000;
    return { busyCores: (now.busy - start.busy) / seconds, seconds };
  };
}

export const coreCount = (): number => cpus().length;

/** "1.23 0.98 0.75" (1, 5 and 15 minutes). */
export const loadAverages = (): string => loadavg().map((value) => value.toFixed(2)).join(' ');
