const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];

/** "3 minutes ago" / "in 20 seconds", for times near now. */
export function relativeTime(iso: string, now = Date.now()): string {
  const diff = Date.parse(iso) - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'second') return relative.format(Math.round(diff / ms), unit);
  }
  return '';
}

/** A time in the user's locale, with the relative time shown and the exact one on hover and for machines. */
export function DateTime({ iso, withRelative = true }: { iso: string; withRelative?: boolean }) {
  const local = new Date(iso).toLocaleString();
  return (
    <time dateTime={iso} title={local}>
      {withRelative ? `${relativeTime(iso)} (${local})` : local}
    </time>
  );
}
