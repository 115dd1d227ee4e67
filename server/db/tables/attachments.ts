// Tables owned by server/attachments. Add each table to AttachmentsTables.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AttachmentsTables {}
