import type { ColumnType } from 'kysely';

/** Generated and trigger-maintained search columns (migration 0006); never written by the app. */
export type SearchVector = ColumnType<string, never, never>;

// The search columns sit on thread and post (see forum.ts), so this domain owns no tables of its own.
export type SearchTables = Record<never, never>
