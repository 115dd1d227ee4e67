import type { Generated } from 'kysely';

export interface AttachmentTable {
  id: Generated<string>;
  uploader_id: string;
  post_id: string | null;
  position: Generated<number>;
  sha256: string;
  size: string;
  /** Sniffed from the bytes, never taken from the name or the client. */
  content_type: string;
  filename: string;
  storage_key: string;
  /** What the handout is ("Bijlage: <naam> — <beschrijving>"), at most 300 characters. */
  description: Generated<string>;
  created_at: Generated<Date>;
}

export interface AttachmentsTables {
  attachment: AttachmentTable;
}
