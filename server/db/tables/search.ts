import type { ColumnType, Generated } from 'kysely';

/** Generated and trigger-maintained search columns (migration 0006); never written by the app. */
export type SearchVector = ColumnType<string, never, never>;

/** Text extracted from a handout (migration 0016); 'failed' is shown as "niet doorzoekbaar". */
export interface AttachmentTextTable {
  attachment_id: string;
  status: 'done' | 'failed';
  extractor_version: string;
  body: Generated<string>;
  pages: number | null;
  error: string | null;
  extracted_at: Generated<Date>;
  search_vector: SearchVector;
}

/** A group of equivalent search terms: from the repository's list or added by an admin. */
export interface SearchSynonymTable {
  id: Generated<string>;
  terms: string[];
  source: 'repo' | 'admin';
  created_by: string | null;
  created_at: Generated<Date>;
}

/** The content hash of the repository list last loaded into search_synonym. */
export interface SearchSynonymSourceTable {
  id: Generated<boolean>;
  sha256: string;
}

// thread_search_doc, search_synonym_rule and title_lexeme are kept by triggers and read in SQL only.
export interface SearchTables {
  attachment_text: AttachmentTextTable;
  search_synonym: SearchSynonymTable;
  search_synonym_source: SearchSynonymSourceTable;
}
