import type { Generated, JSONColumnType } from 'kysely';
import type { NullableTimestamp } from './accounts';

export interface NotificationTable {
  id: Generated<string>;
  user_id: string;
  /** reply, quote, mention, new_thread, video_session_requested, video_session_scheduled, video_session_changed,
   *  video_session_cancelled, video_session_promoted, video_session_reminder, post_hidden, membership_requested,
   *  membership_approved, membership_declined (and the others that server/notifications/mail.ts describes) */
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
  email_status: Generated<'pending' | 'sent' | 'skipped'>;
}

export interface SubscriptionTable {
  user_id: string;
  target_type: 'channel' | 'thread';
  target_id: string;
  level: 'watching' | 'normal' | 'muted';
  updated_at: Generated<Date>;
}

export interface NotificationSettingTable {
  user_id: string;
  email_frequency: Generated<'immediately' | 'daily' | 'never'>;
  last_digest_at: Date | null;
}

export interface MailLogTable {
  id: Generated<string>;
  user_id: string;
  thread_id: string | null;
  kind: string;
  message_id: string | null;
  sent_at: Generated<Date>;
}

export interface AppSettingTable {
  key: string;
  value: string;
}

export interface NotificationsTables {
  notification: NotificationTable;
  subscription: SubscriptionTable;
  notification_setting: NotificationSettingTable;
  mail_log: MailLogTable;
  app_setting: AppSettingTable;
}
