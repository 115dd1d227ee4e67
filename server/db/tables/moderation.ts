// Tables owned by server/moderation. Add each table to ModerationTables.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ModerationTables {}
