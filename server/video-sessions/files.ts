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

/** The Amsterdam wall-clock time as a Date whose UTC fields carry it: Excel cells have no time zone. */
function amsterdamWallClock(date: Date): Date {
  const [d, t] = excelDateTime(date).split(' ');
  const [y, mo, day] = d.split('-').map(Number);
  const [h, mi] = t.split(':').map(Number);
  return new Date(Date.UTC(y, mo - 1, day, h, mi));
}

export interface AttendeeRow {
  name: string;
  organisation: string;
  jobTitle: string;
  email: string;
  registeredAt: Date;
}

/**
 * The attendee list as a real Excel workbook (exceljs): "Aangemeld" and "Wachtlijst" on separate
 * sheets with Dutch column names, dates as date cells on the Amsterdam clock. Cell values are plain
 * strings, never formulas, so a name such as "=HYPERLINK(…)" stays text.
 */
export async function attendeesWorkbook(title: string, registered: AttendeeRow[], waitlisted: AttendeeRow[]): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Plein';
  workbook.title = title;
  const columns = [
    { header: 'Naam', key: 'name', width: 28 },
    { header: 'Organisatie', key: 'organisation', width: 28 },
    { header: 'Functie', key: 'jobTitle', width: 24 },
    { header: 'E-mailadres', key: 'email', width: 32 },
    { header: 'Aangemeld op', key: 'registeredAt', width: 18, style: { numFmt: 'dd-mm-yyyy hh:mm' } },
  ];
  const sheets: Array<[string, AttendeeRow[], boolean]> = [
    ['Aangemeld', registered, false],
    ['Wachtlijst', waitlisted, true],
  ];
  for (const [name, rows, withPosition] of sheets) {
    const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = withPosition ? [{ header: 'Positie', key: 'position', width: 9 }, ...columns] : columns;
    sheet.getRow(1).font = { bold: true };
    sheet.addRows(rows.map((r, i) => ({ ...r, position: i + 1, registeredAt: amsterdamWallClock(r.registeredAt) })));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
