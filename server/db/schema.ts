import type { AccountTables } from './tables/accounts';
import type { AttachmentsTables } from './tables/attachments';
import type { ChannelMemberTables } from './tables/channel-members';
import type { ForumTables } from './tables/forum';
import type { ModerationTables } from './tables/moderation';
import type { NotificationsTables } from './tables/notifications';
import type { OrganisationTables } from './tables/organisations';
import type { SearchTables } from './tables/search';
import type { VideoSessionsTables } from './tables/video-sessions';

export type { Role, Timestamp } from './tables/accounts';
export type { PostingPolicy, ThreadKind } from './tables/forum';

/** The whole database as Kysely sees it; each domain owns one file in tables/. */
export interface Database
  extends AccountTables,
    ForumTables,
    AttachmentsTables,
    ModerationTables,
    NotificationsTables,
    SearchTables,
    VideoSessionsTables,
    OrganisationTables,
    ChannelMemberTables {}
