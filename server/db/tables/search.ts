// Tables owned by server/search. Add each table to SearchTables.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SearchTables {}
