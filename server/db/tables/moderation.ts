import type { Generated, JSONColumnType } from 'kysely';
import type { NullableTimestamp } from './accounts';

export interface ReportTable {
  id: Generated<string>;
  post_id: string;
  reporter_id: string;
  reason: string;
  status: Generated<'open' | 'resolved'>;
  resolution: 'hide' | 'dismiss' | 'suspend' | null;
  resolved_by: string | null;
  resolved_at: NullableTimestamp;
  created_at: Generated<Date>;
}

/** The audit log. Append-only (a trigger refuses UPDATE and DELETE). */
export interface ModerationActionTable {
  id: Generated<string>;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  reason: Generated<string>;
  data: JSONColumnType<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export interface ModerationTables {
  report: ReportTable;
  moderation_action: ModerationActionTable;
}
