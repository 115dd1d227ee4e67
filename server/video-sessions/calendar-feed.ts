// A personal iCalendar feed behind a secret address that Outlook (or any calendar) subscribes to:
// every session the user organises or has a place in. The token is `<userId>.<HMAC(app secret,
// userId:nonce)>`; regenerating draws a new nonce, so the old address stops working (404).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type EventAttributes, createEvents } from 'ics';
import type { Config } from '../config';
import type { Db } from '../db';
import { appSecret } from '../notifications/mail';
import { channelIdsOf, rightsOf } from '../accounts/session';
import { type Actor, maySeeMeetingLink, visibleChannelSql } from '../policy';
import { notFound } from '../http/errors';
import { effectiveStatus } from './present';

const sign = (secret: string, userId: string, nonce: string) => createHmac('sha256', secret).update(`calendar:${userId}:${nonce}`).digest('base64url');

const feedUrl = (config: Config, token: string) => `${config.publicUrl}/api/me/calendar.ics?token=${token}`;

/** My feed's address, or null when I never made one. */
export async function myCalendarFeed(db: Db, config: Config, user: Actor): Promise<string | null> {
  const row = await db.selectFrom('calendar_feed').select('nonce').where('user_id', '=', user.id).executeTakeFirst();
  return row ? feedUrl(config, `${user.id}.${sign(await appSecret(db, config), user.id, row.nonce)}`) : null;
}

/** Makes my feed's address, or a new one: the old address is revoked at once. */
export async function regenerateCalendarFeed(db: Db, config: Config, user: Actor): Promise<string> {
  const nonce = randomBytes(16).toString('base64url');
  await db
    .insertInto('calendar_feed')
    .values({ user_id: user.id, nonce })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ nonce, created_at: new Date() }))
    .execute();
  return feedUrl(config, `${user.id}.${sign(await appSecret(db, config), user.id, nonce)}`);
}

/** Turns my feed off (the address is revoked). */
export async function revokeCalendarFeed(db: Db, user: Actor): Promise<void> {
  await db.deleteFrom('calendar_feed').where('user_id', '=', user.id).execute();
}

/** The user of a genuine, current token; 404 for anything else (forged, revoked, malformed). */
async function feedOwner(db: Db, config: Config, token: string | undefined): Promise<Actor> {
  const m = token ? /^([1-9][0-9]{0,18})\.([A-Za-z0-9_-]{43})$/.exec(token) : null;
  if (!m) throw notFound('calendar');
  const row = await db
    .selectFrom('calendar_feed as f')
    .innerJoin('user as u', 'u.id', 'f.user_id')
    .select(['f.nonce', 'u.id', 'u.role', 'u.suspended_until', 'u.totp_enabled_at'])
    .select(channelIdsOf('u').as('channel_ids'))
    .where('f.user_id', '=', m[1])
    .executeTakeFirst();
  if (!row) throw notFound('calendar');
  const expected = Buffer.from(sign(await appSecret(db, config), row.id, row.nonce));
  const given = Buffer.from(m[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw notFound('calendar');
  // As their session would be: the closed channels they are in now, and a missing second step counts.
  return { id: row.id, ...rightsOf(config, row) };
}

/** The feed: sessions I organise or have a place in, from 30 days back; cancelled ones stay, marked cancelled. */
export async function calendarFeed(db: Db, config: Config, token: string | undefined): Promise<string> {
  const user = await feedOwner(db, config, token);
  const rows = await db
    .selectFrom('video_session as s')
    // Only sessions of threads the owner may read now (leaving a closed channel takes its sessions along).
    .innerJoin('thread as t', 't.id', 's.thread_id')
    .innerJoin('channel as vis', 'vis.id', 't.channel_id')
    .leftJoin('video_session_registration as r', (join) => join.onRef('r.session_id', '=', 's.id').on('r.user_id', '=', user.id))
    .leftJoin('user as o', 'o.id', 's.organiser_id')
    .selectAll('s')
    .select(['r.status as my_status', 'o.display_name as organiser_name'])
    .where(visibleChannelSql(user, 'vis'))
    .where('s.starts_at', 'is not', null)
    .where('s.starts_at', '>', new Date(Date.now() - 30 * 86400_000))
    .where((eb) => eb.or([eb('s.organiser_id', '=', user.id), eb('r.status', '=', 'registered')]))
    .orderBy('s.starts_at')
    .limit(500)
    .execute();
  const host = new URL(config.publicUrl).hostname;
  const events: EventAttributes[] = rows.map((row) => {
    const start = row.starts_at!;
    const link = maySeeMeetingLink(user, row.organiser_id, row.my_status === 'registered') ? row.meeting_url : null;
    const threadUrl = `${config.publicUrl}/t/${row.thread_id}`;
    return {
      start: [start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), start.getUTCHours(), start.getUTCMinutes()],
      startInputType: 'utc',
      startOutputType: 'utc',
      duration: { minutes: row.duration_minutes ?? 60 },
      title: row.title,
      description: `${row.description ? `${row.description}\n\n` : ''}Onderwerp op Plein: ${threadUrl}${link ? `\nDeelnemen: ${link}` : ''}`,
      url: link ?? threadUrl,
      ...(link ? { location: link } : {}),
      organizer: { name: row.organiser_name ?? 'Plein', email: `noreply@${host}` },
      // The same UID as the single-session download, so a subscribed calendar and a saved entry agree.
      uid: `video-session-${row.id}@${host}`,
      sequence: row.sequence,
      status: effectiveStatus(row) === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
      productId: 'plein/video-sessions',
    };
  });
  if (!events.length) return emptyCalendar();
  const { error, value } = createEvents(events, { calName: 'Plein videosessies' });
  if (error || !value) throw error ?? new Error('calendar generation failed');
  return value;
}

/** A valid calendar without events (ics refuses an empty list). */
function emptyCalendar(): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'CALSCALE:GREGORIAN', 'PRODID:plein/video-sessions', 'METHOD:PUBLISH', 'X-WR-CALNAME:Plein videosessies', 'END:VCALENDAR', ''].join('\r\n');
}
