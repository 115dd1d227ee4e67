import type { Generated, JSONColumnType } from 'kysely';
import type { NullableTimestamp } from './accounts';

export interface NotificationTable {
  id: Generated<string>;
  user_id: string;
  /** reply, quote, mention, new_thread, video_session_requested, video_session_scheduled, video_session_changed,
   *  video_session_cancelled, video_session_promoted, video_session_reminder, post_hidden */
  kind: string;
  thread_id: string | null;
  post_id: string | null;
  actor_id: string | null;
  data: JSONColumnType<Record<string, unknown>>;
  group_key: string | null;
  count: Generated<number>;
  read_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

// Tables owned by server/notifications. Add each table to NotificationsTables.
export interface NotificationsTables {
  notification: NotificationTable;
}
