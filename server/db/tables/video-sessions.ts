// Tables owned by server/video-sessions. Add each table to VideoSessionsTables.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface VideoSessionsTables {}
