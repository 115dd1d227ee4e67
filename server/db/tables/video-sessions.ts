import type { ColumnType, Generated } from 'kysely';
import type { NullableTimestamp } from './accounts';

export type VideoSessionStatus = 'requested' | 'proposed' | 'scheduled' | 'cancelled' | 'ended';

export interface VideoSessionTable {
  id: Generated<string>;
  thread_id: string;
  status: VideoSessionStatus;
  title: string;
  description: Generated<string>;
  organiser_id: string | null;
  requested_by: string;
  starts_at: NullableTimestamp;
  duration_minutes: number | null;
  capacity: number | null;
  meeting_url: string | null;
  sequence: Generated<number>;
  /** Start time the 24-hour reminder was sent for (migration 0008). */
  reminded_for: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** The organiser's summary, posted as a reply after the session (migration 0015). */
  summary_post_id: ColumnType<string | null, string | null | undefined, string | null>;
  recording_url: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A personal calendar feed: its token is an HMAC of the user id and this nonce (a new nonce revokes the old token). */
export interface CalendarFeedTable {
  user_id: string;
  nonce: string;
  created_at: Generated<Date>;
}

export interface VideoSessionInterestTable {
  session_id: string;
  user_id: string;
  created_at: Generated<Date>;
}

export interface VideoSessionRegistrationTable {
  id: Generated<string>;
  session_id: string;
  user_id: string;
  status: 'registered' | 'waitlisted';
  waitlist_seq: string | null;
  created_at: Generated<Date>;
}

export interface VideoSessionsTables {
  video_session: VideoSessionTable;
  video_session_interest: VideoSessionInterestTable;
  video_session_registration: VideoSessionRegistrationTable;
  calendar_feed: CalendarFeedTable;
}
