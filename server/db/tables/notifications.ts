// Tables owned by server/notifications. Add each table to NotificationsTables.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface NotificationsTables {}
