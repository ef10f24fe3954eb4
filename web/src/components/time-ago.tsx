import { useSyncExternalStore } from 'react';

// One clock for every relative time on the page, ticking while something shows one: "3 minutes ago" stays true
// without re-reading anything from the server.
const TICK_MS = 30_000;
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const each of listeners) each();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "5 minutes ago" in the user's language; under a minute, "just now". */
export function relativeTime(iso: string, at: number): string {
  const elapsed = at - Date.parse(iso);
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(elapsed) >= ms) return format.format(-Math.round(elapsed / ms), unit);
  }
  return 'just now';
}

export const localDateTime = (iso: string): string =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A relative time with the exact local date and time as its tooltip and machine-readable value. */
export function TimeAgo({ iso }: { iso: string }) {
  const at = useSyncExternalStore(subscribe, () => now);
  return (
    <time dateTime={iso} title={localDateTime(iso)}>
      {relativeTime(iso, Math.max(at, Date.now()))}
    </time>
  );
}
