// Contract used by server/threads when a thread or reply is created with attachmentIds, and when
// posts are read. Owned by server/attachments (this file is the seam between the two domains).
import type { Kysely, Transaction } from 'kysely';
import type { Attachment } from '../../shared/schemas/attachments';
import type { Database } from '../db/schema';
import { badRequest } from '../http/errors';

/**
 * Links the uploader's own, not yet attached uploads to a post, in the caller's transaction.
 * Anything else (someone else's upload, already attached, unknown, more than 10) → 400.
 */
export async function attachToPost(
  _trx: Transaction<Database>,
  options: { uploaderId: string; postId: string; attachmentIds: string[] },
): Promise<void> {
  if (options.attachmentIds.length > 0) throw badRequest('invalid_attachments', 'Attachments are not available yet.', { attachmentIds: 'unknown upload' });
}

/** The attachments of each post, in upload order. Posts without attachments are absent from the map. */
export async function loadAttachmentsForPosts(_db: Kysely<Database>, _postIds: string[]): Promise<Map<string, Attachment[]>> {
  return new Map();
}
