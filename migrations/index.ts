import type { Migration } from 'kysely';
import * as m0001 from './0001_accounts';
import * as m0002 from './0002_forum';
import * as m0003 from './0003_notifications';
import * as m0004 from './0004_moderation';
import * as m0005 from './0005_video_sessions';
import * as m0006 from './0006_search';
import * as m0007 from './0007_attachments';
import * as m0008 from './0008_notifications_delivery';
import * as m0009 from './0009_post_attachment_count';
import * as m0010 from './0010_search_segments';
import * as m0011 from './0011_search_segment_lexemes';
import * as m0012 from './0012_account_trust';
import * as m0014 from './0014_thread_page';
import * as m0015 from './0015_sessions_and_guardrail';
import * as m0016 from './0016_thread_search_handouts';
import * as m0017 from './0017_channel_feed';
import * as m0018 from './0018_search_speed';
import * as m0019 from './0019_search_speed_2';
import * as m0020 from './0020_search_rank';
import * as m0013 from './0013_organisations_oidc_closed_channels';

/**
 * Every migration, by name. Append-only: add a line for a new file, never edit a landed migration.
 * (A static list works the same under tsx, vitest and a bundler.)
 */
export const migrations: Record<string, Migration> = {
  '0001_accounts': m0001,
  '0002_forum': m0002,
  '0003_notifications': m0003,
  '0004_moderation': m0004,
  '0005_video_sessions': m0005,
  '0006_search': m0006,
  '0007_attachments': m0007,
  '0008_notifications_delivery': m0008,
  '0009_post_attachment_count': m0009,
  '0010_search_segments': m0010,
  '0011_search_segment_lexemes': m0011,
  '0012_account_trust': m0012,
  '0014_thread_page': m0014,
  '0015_sessions_and_guardrail': m0015,
  '0016_thread_search_handouts': m0016,
  '0017_channel_feed': m0017,
  '0018_search_speed': m0018,
  '0019_search_speed_2': m0019,
  '0020_search_rank': m0020,
  '0013_organisations_oidc_closed_channels': m0013,
};
