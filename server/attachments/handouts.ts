// Handouts and profile photos: storing an upload (sniffed, deduplicated by content), deciding who may
// download it (the policy: an unattached upload is its uploader's, an attached one follows its post),
// and a user's photo. Plain domain functions; the routes stream the bytes.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import sharp from 'sharp';
import { ATTACHMENT_DESCRIPTION_MAX_LENGTH, type Attachment } from '../../shared/schemas/attachments';
import { swapAvatarKey } from '../accounts/users';
import { plainText } from '../content/sanitize';
import type { Db } from '../db';
import { ApiError, forbidden, invalidField, notFound, unsupportedType } from '../http/errors';
import { type Actor, type Viewer, mayManageOrganisations, maySeeChannel, maySeeHiddenPost } from '../policy';
import { swapOrganisationLogo } from '../organisations/organisations';
import { toAttachment } from './attach';
import { releaseContent } from './cleanup';
import { nameForType, safeFilename, sniffContentType } from './files';
import { type Storage, lockContent } from './storage';
import type { ReceivedFile } from './upload';

const AVATAR_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp']);

/** A description is plain text on one line: markup, control characters and runs of white space go. */
const cleanDescription = (text: string): string => plainText(text);

/**
 * Sets the description of an upload, attached or not: its uploader only (someone else's, or an
 * unknown one → 404, so its existence stays unknown).
 */
export async function describeAttachment(db: Db, actor: Actor, attachmentId: string, description: string): Promise<Attachment> {
  if (description.length > ATTACHMENT_DESCRIPTION_MAX_LENGTH) throw invalidField('description', 'too long');
  const row = await db
    .updateTable('attachment')
    .set({ description: cleanDescription(description) })
    .where('id', '=', attachmentId)
    .where('uploader_id', '=', actor.id)
    .returning(['id', 'filename', 'content_type', 'size', 'sha256', 'description'])
    .executeTakeFirst();
  if (!row) throw notFound('attachment');
  return toAttachment(row);
}

/** Stores an upload by its sniffed type, not yet attached to a post; 415 for what is not allowed. */
export async function storeUpload(db: Db, storage: Storage, uploader: Actor, file: ReceivedFile): Promise<Attachment> {
  const cleanName = safeFilename(file.filename);
  const sniffed = await sniffContentType(file.tempFile, cleanName);
  if (sniffed === 'macros') throw new ApiError(415, 'macros_not_allowed', 'Documents with macros are not allowed. Save it as a document without macros (.docx, .xlsx, .pptx) and try again.');
  if (!sniffed) throw unsupportedType('Only PDF, Word, Excel, PowerPoint, OpenDocument, images (PNG, JPEG, GIF, WebP) and plain text or CSV are allowed.');
  const filename = nameForType(cleanName, sniffed);
  const row = await db.transaction().execute(async (trx) => {
    // The bytes and their row appear together for the cleanup, which takes the same lock.
    await lockContent(trx, file.sha256);
    await storage.put(file.tempFile, file.sha256, sniffed.contentType);
    return trx
      .insertInto('attachment')
      .values({ uploader_id: uploader.id, post_id: null, sha256: file.sha256, size: String(file.size), content_type: sniffed.contentType, filename, storage_key: file.sha256, description: cleanDescription(file.description) })
      .returning(['id', 'filename', 'content_type', 'size', 'sha256', 'description'])
      .executeTakeFirstOrThrow();
  });
  return toAttachment(row);
}

/** An attachment the viewer may download, or 404 (also for one they may not see: its existence stays unknown). */
export async function findDownload(db: Db, viewer: Viewer, attachmentId: string) {
  const row = await db
    .selectFrom('attachment as a')
    .leftJoin('post as p', 'p.id', 'a.post_id')
    .leftJoin('thread as t', 't.id', 'p.thread_id')
    .leftJoin('channel as c', 'c.id', 't.channel_id')
    .select(['a.id', 'a.uploader_id', 'a.post_id', 'a.sha256', 'a.size', 'a.content_type', 'a.filename', 'a.storage_key', 'p.hidden_at', 'p.deleted_at', 'p.author_id', 'c.id as channel_id', 'c.visibility'])
    .where('a.id', '=', attachmentId)
    .executeTakeFirst();
  if (!row) throw notFound('attachment');
  // An upload not attached yet is its uploader's alone; afterwards it follows its post (the
  // uploader is that post's author: only one's own uploads can be attached).
  const visible =
    row.post_id === null
      ? !!viewer && viewer.id === row.uploader_id
      : row.deleted_at === null &&
        (row.hidden_at === null || maySeeHiddenPost(viewer, row.author_id!)) &&
        (row.channel_id === null || maySeeChannel(viewer, { id: row.channel_id, visibility: row.visibility ?? 'public' }));
  if (!visible) throw notFound('attachment');
  return row;
}

/** Resizes a photo to a 256×256 WebP; its content key and bytes. 415 for what is not a PNG, JPEG or WebP. */
export async function preparePhoto(file: ReceivedFile, fit: 'cover' | 'inside' = 'cover'): Promise<{ key: string; output: Buffer }> {
  const sniffed = await sniffContentType(file.tempFile, 'photo');
  if (!sniffed || sniffed === 'macros' || !AVATAR_TYPES.has(sniffed.contentType)) throw unsupportedType('A profile photo must be PNG, JPEG or WebP.');
  let output: Buffer;
  try {
    output = await sharp(file.tempFile, { limitInputPixels: 50_000_000, animated: false }).rotate().resize(256, 256, { fit }).webp({ quality: 82 }).toBuffer();
  } catch {
    throw unsupportedType('This image cannot be read. Use a PNG, JPEG or WebP photo.');
  }
  return { key: `${createHash('sha256').update(output).digest('hex')}.webp`, output };
}

/** Sets a user's photo from an upload (null removes it); the key of the new photo. */
export async function setProfilePhoto(db: Db, storage: Storage, user: Actor, file: ReceivedFile | null, log: FastifyBaseLogger): Promise<string | null> {
  if (!file) {
    await setAvatar(db, storage, log, user.id, null);
    return null;
  }
  const { key, output } = await preparePhoto(file);
  const resized = path.join(storage.tempDir, `${randomBytes(8).toString('hex')}.webp`);
  try {
    await fs.writeFile(resized, output);
    await setAvatar(db, storage, log, user.id, { key, file: resized });
    return key;
  } finally {
    await fs.rm(resized, { force: true });
  }
}

  /**
   * Sets the user's photo (`photo.file` stored under `photo.key`; null removes it), then drops the
   * bytes of the photo it replaces when nothing else uses them.
   */
async function setAvatar(db: Db, storage: Storage, log: FastifyBaseLogger, userId: string, photo: { key: string; file: string } | null): Promise<void> {
    const previous = photo
      ? await db.transaction().execute(async (trx) => {
          // The bytes and the reference to them appear together for the cleanup, which takes the same lock.
          await lockContent(trx, photo.key);
          await storage.put(photo.file, photo.key, 'image/webp');
          return swapAvatarKey(trx, userId, photo.key);
        })
      : await swapAvatarKey(db, userId, null);
    if (previous && previous !== photo?.key) await releaseContent(db, storage, previous).catch((err: Error) => log.warn({ err: err.message }, 'previous profile photo not removed'));
  }


/**
 * Sets an organisation's logo from an upload (PNG, JPEG or WebP, fitted inside 256×256 WebP; null
 * removes it): admins only. The bytes of the logo it replaces go when nothing else uses them.
 */
export async function setOrganisationLogo(db: Db, storage: Storage, admin: Actor, organisationId: string, file: ReceivedFile | null, log: FastifyBaseLogger): Promise<string | null> {
  if (!mayManageOrganisations(admin)) throw forbidden('forbidden', 'Only admins may manage organisations.');
  let previous: string | null;
  let key: string | null = null;
  if (!file) previous = await swapOrganisationLogo(db, admin, organisationId, null);
  else {
    const prepared = await preparePhoto(file, 'inside');
    key = prepared.key;
    const resized = path.join(storage.tempDir, `${randomBytes(8).toString('hex')}.webp`);
    try {
      await fs.writeFile(resized, prepared.output);
      previous = await db.transaction().execute(async (trx) => {
        await lockContent(trx, prepared.key);
        await storage.put(resized, prepared.key, 'image/webp');
        return swapOrganisationLogo(trx, admin, organisationId, prepared.key);
      });
    } finally {
      await fs.rm(resized, { force: true });
    }
  }
  if (previous && previous !== key) await releaseContent(db, storage, previous).catch((err: Error) => log.warn({ err: err.message }, 'previous logo not removed'));
  return key;
}
