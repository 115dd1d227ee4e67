import { createEvent } from 'ics';
import type { SessionRow } from './present';

/** iCalendar for one session: UTC start, stable UID, SEQUENCE bumped on every change (Outlook updates in place). */
export function sessionCalendar(row: SessionRow, opts: { threadUrl: string; organiserName: string; host: string }): string {
  const start = row.starts_at!;
  const { error, value } = createEvent({
    start: [start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), start.getUTCHours(), start.getUTCMinutes()],
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { minutes: row.duration_minutes! },
    title: row.title,
    description: `${row.description ? `${row.description}\n\n` : ''}Onderwerp op Plein: ${opts.threadUrl}\nDeelnemen: ${row.meeting_url ?? ''}`,
    url: row.meeting_url ?? opts.threadUrl,
    location: row.meeting_url ?? undefined,
    organizer: { name: opts.organiserName, email: `noreply@${opts.host}` },
    uid: `video-session-${row.id}@${opts.host}`,
    sequence: row.sequence,
    method: 'PUBLISH',
    status: row.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
    productId: 'plein/video-sessions',
  });
  if (error || !value) throw error ?? new Error('calendar generation failed');
  return value;
}

/** A spreadsheet cell that cannot start a formula (CSV injection) and is quoted for CSV. */
export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** UTF-8 with a BOM so Excel reads accents right; CRLF line ends. */
export function toCsv(rows: (string | number | null)[][]): string {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

const amsterdam = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** `2030-06-23 14:05` on the Amsterdam clock: a form Excel reads as a date and time. */
export function excelDateTime(date: Date): string {
  return amsterdam.format(date);
}
