// The seam between server/threads and server/attachments: threads call these while creating and
// reading posts.
import { type Kysely, type Transaction, sql } from 'kysely';
import { MAX_ATTACHMENTS_PER_POST, type Attachment } from '../../shared/schemas/attachments';
import type { Database } from '../db/schema';
import { badRequest } from '../http/errors';

export const toAttachment = (r: { id: string; filename: string; content_type: string; size: string | number; sha256: string; description?: string; searchable?: boolean | null }): Attachment => ({
  id: r.id,
  filename: r.filename,
  contentType: r.content_type,
  size: Number(r.size),
  sha256: r.sha256,
  url: `/api/attachments/${r.id}/download`,
  description: r.description ?? '',
  ...(r.searchable === true || r.searchable === false ? { searchable: r.searchable } : {}),
});

/** Whether search could read the handout's text (server/search/handouts): true, false, or null (not yet, or not a document). */
const searchableSql = sql<boolean | null>`(select x.status = 'done' from attachment_text x where x.attachment_id = a.id)`;

/**
 * Links the uploader's own, not yet attached uploads to a post, in the caller's transaction.
 * Anything else (someone else's upload, already attached, unknown, more than 10) → 400. The ids
 * are numeric: the routes' body schemas (AttachmentIds, items Id) refuse anything else first.
 */
export async function attachToPost(trx: Transaction<Database>, options: { uploaderId: string; postId: string; attachmentIds: string[] }): Promise<void> {
  const ids = [...new Set(options.attachmentIds)];
  if (ids.length === 0) return;
  if (ids.length > MAX_ATTACHMENTS_PER_POST) throw badRequest('invalid_attachments', `At most ${MAX_ATTACHMENTS_PER_POST} attachments per post.`, { attachmentIds: 'too many' });
  // One statement: link and number them in the order given. Row locks make a second post that
  // tries to take the same upload wait, then find it attached (post_id no longer null) → 400.
  const updated = await trx
    .updateTable('attachment')
    .set({ post_id: options.postId, position: sql<number>`array_position(${sql.val(ids)}::bigint[], id) - 1` })
    .where('id', 'in', ids)
    .where('uploader_id', '=', options.uploaderId)
    .where('post_id', 'is', null)
    .returning('id')
    .execute();
  if (updated.length !== ids.length) throw badRequest('invalid_attachments', 'Only your own uploads that are not attached yet can be attached.', { attachmentIds: 'unknown or not yours' });
  await trx.updateTable('post').set({ attachment_count: ids.length }).where('id', '=', options.postId).execute();
}

/** The attachments of each post, in the order given. Posts without attachments are absent from the map. */
export async function loadAttachmentsForPosts(db: Kysely<Database>, postIds: string[]): Promise<Map<string, Attachment[]>> {
  const map = new Map<string, Attachment[]>();
  if (postIds.length === 0) return map;
  const rows = await db
    .selectFrom('attachment as a')
    .select(['a.id', 'a.post_id', 'a.filename', 'a.content_type', 'a.size', 'a.sha256', 'a.description', searchableSql.as('searchable')])
    .where('a.post_id', 'in', postIds)
    .orderBy('a.post_id')
    .orderBy('a.position')
    .execute();
  for (const r of rows) {
    const list = map.get(r.post_id!) ?? [];
    list.push(toAttachment(r));
    map.set(r.post_id!, list);
  }
  return map;
}

export interface AttachmentJson {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  description: string;
  searchable: boolean | null;
}

/**
 * A post's attachments as a JSON array inside the caller's query (no extra round trip). Given the
 * post's attachment_count column, posts without attachments skip the lookup altogether.
 */
export const attachmentsOf = (postIdColumn: string, countColumn: string) =>
  sql<AttachmentJson[]>`case when ${sql.ref(countColumn)} > 0 then coalesce((select json_agg(json_build_object('id', a.id::text, 'filename', a.filename, 'content_type', a.content_type, 'size', a.size, 'sha256', a.sha256, 'description', a.description, 'searchable', ${searchableSql}) order by a.position) from attachment a where a.post_id = ${sql.ref(postIdColumn)}), '[]'::json) else '[]'::json end`;

/** The uploads of a user, for their data export (AVG inzageverzoek). */
export async function uploadsBy(db: Kysely<Database>, userId: string) {
  return db.selectFrom('attachment').select(['id', 'filename', 'content_type', 'size', 'post_id', 'created_at']).where('uploader_id', '=', userId).execute();
}
