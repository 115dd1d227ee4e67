// The scheduling form speaks Dutch time whatever the browser's zone is: dates are shown in Europe/Amsterdam,
// so what the organiser types is read as Europe/Amsterdam too.
const ZONE = 'Europe/Amsterdam';
const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function wallClock(date: Date) {
  const p = Object.fromEntries(parts.formatToParts(date).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute), s: Number(p.second) };
}

/** Milliseconds Amsterdam is ahead of UTC at `date` (3,600,000 in winter, 7,200,000 in summer). */
function offsetAt(date: Date): number {
  const w = wallClock(date);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(date.getTime() / 1000) * 1000;
}

/** `2030-06-23T14:00` (a datetime-local value, Amsterdam wall clock) → ISO instant in UTC. */
export function amsterdamInputToIso(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return new Date(value).toISOString();
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // Two passes settle the offset around a DST switch.
  const first = asUtc - offsetAt(new Date(asUtc));
  return new Date(asUtc - offsetAt(new Date(first))).toISOString();
}

/** ISO instant → `2030-06-23T14:00` on the Amsterdam wall clock, for a datetime-local input. */
export function isoToAmsterdamInput(iso: string | null): string {
  if (!iso) return '';
  const w = wallClock(new Date(iso));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${w.y}-${pad(w.m)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}`;
}
