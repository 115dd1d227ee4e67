import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { ATTACHMENT_DESCRIPTION_MAX_LENGTH } from '../../shared/schemas/attachments';
import { badRequest, tooLarge } from '../http/errors';
import { uploadedBytes } from './release-buffers';

export interface ReceivedFile {
  tempFile: string;
  filename: string;
  sha256: string;
  size: number;
  /** The part `description`, when it came before the file part ('' otherwise). */
  description: string;
}

/**
 * Streams the multipart part `file` to a temp file while hashing it: never the whole file in memory.
 * Over the limit → 413; an aborted or failed upload leaves no temp file behind.
 */
export async function receiveFile(request: FastifyRequest, tempDir: string, maxBytes: number): Promise<ReceivedFile> {
  let part: Awaited<ReturnType<FastifyRequest['file']>>;
  try {
    part = await request.file({ limits: { fileSize: maxBytes, files: 1, fields: 5 } });
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw badRequest('not_multipart', 'Send the file as multipart/form-data in a part named "file".');
    throw err;
  }
  if (part?.fieldname !== 'file') {
    part?.file.resume();
    throw badRequest('validation_failed', 'Send one part named "file".', { file: 'is required' });
  }
  // Fields sent before the file part arrive with it; a description sent after it is not seen.
  const field = part.fields.description;
  const description = field && !Array.isArray(field) && field.type === 'field' ? String(field.value) : '';
  if (description.length > ATTACHMENT_DESCRIPTION_MAX_LENGTH) {
    part.file.resume();
    throw badRequest('validation_failed', `The description is at most ${ATTACHMENT_DESCRIPTION_MAX_LENGTH} characters.`, { description: 'too long' });
  }
  await fs.mkdir(tempDir, { recursive: true });
  const tempFile = path.join(tempDir, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);
  const hash = createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      uploadedBytes(chunk.length);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(part.file, counter, createWriteStream(tempFile));
    if (part.file.truncated) throw tooLarge(`The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`);
    if (size === 0) throw badRequest('empty_file', 'The file is empty.', { file: 'is empty' });
  } catch (err) {
    await fs.rm(tempFile, { force: true });
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(`The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`);
    throw err;
  }
  return { tempFile, filename: part.filename, sha256: hash.digest('hex'), size, description };
}
