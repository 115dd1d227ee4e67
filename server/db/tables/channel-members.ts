import type { Generated } from 'kysely';
import type { NullableTimestamp } from './accounts';

export type ChannelMemberRole = 'member' | 'moderator';

export interface ChannelMemberTable {
  channel_id: string;
  user_id: string;
  /** moderator: the per-channel moderator (decides membership requests). */
  role: Generated<ChannelMemberRole>;
  created_at: Generated<Date>;
}

export interface ChannelOrganisationTable {
  channel_id: string;
  organisation_id: string;
}

export interface ChannelMembershipRequestTable {
  id: Generated<string>;
  channel_id: string;
  user_id: string;
  motivation: string;
  status: Generated<'pending' | 'approved' | 'declined'>;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface ChannelMemberTables {
  channel_member: ChannelMemberTable;
  channel_organisation: ChannelOrganisationTable;
  channel_membership_request: ChannelMembershipRequestTable;
}
