import { createHash, } from 'node:crypto';
import { promises as fs } from 'node:fs';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Attachment, UpdateAttachmentBody } from '../../shared/schemas/attachments';
import { ErrorBody, IdParams } from '../../shared/schemas/common';
import { requireRole, requireWriter } from '../accounts/guards';
import { avatarUrl, avatarVersion } from '../accounts/present';
import { avatarOf } from '../accounts/users';
import { escapeHtml } from '../content/escape';
import { ApiError, tooLarge, } from '../http/errors';
import { postingLimit } from '../http/posting-limits';
import { contentDisposition, } from './files';
import { cleanupUnattachedUploads, } from './cleanup';
import { createStorage, } from './storage';
import { describeAttachment, findDownload, setOrganisationLogo, setProfilePhoto, storeUpload } from './handouts';
import { organisationLogo, organisationLogoUrl } from '../organisations/organisations';
import { receiveFile } from './upload';

const tags = ['attachments'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody };
const AVATAR_MAX_BYTES = 5 * 1024 * 1024;

/**
 * One byte range (RFC 9110 §14): null = serve the whole file (no Range, another unit, several
 * ranges or a malformed header are all ignored, as the RFC allows); 'unsatisfiable' → 416.
 */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=\s*(\d*)-(\d*)\s*$/i.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null; // invalid range-spec: ignored
  return start >= size ? 'unsatisfiable' : { start, end };
}

/** If-None-Match: a list of (possibly weak) entity tags, or `*`. */
const etagMatches = (header: string | undefined, etag: string) =>
  !!header && (header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag));

function initialsSvg(name: string, seed: string): string {
  const parts = name.trim().split(/\s+/).filter((p) => /^\p{L}/u.test(p));
  const initials = ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
  const hue = createHash('sha256').update(seed).digest()[0] * 1.4;
  const esc = escapeHtml(initials);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256"><rect width="256" height="256" fill="hsl(${hue.toFixed(0)} 45% 35%)"/><text x="50%" y="50%" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="104" fill="#fff">${esc}</text></svg>`;
}

/** Uploads (handouts), downloads with safe headers, profile photos. */
const attachmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.db;
  const storage = createStorage(app.config);
  // A storage that refuses (no bucket, wrong credentials) stops the start instead of failing every upload.
  await storage.check();
  await app.register(fastifyMultipart, { limits: { fileSize: app.config.uploadMaxBytes, files: 1 } });

  // Idempotent cleanup (see cleanup.ts): every instance may run it; a run that overlaps another is
  // harmless. Hourly, plus once a few minutes after start (instances that restart often).
  let running = false;
  const cleanup = () => {
    if (running) return;
    running = true;
    cleanupUnattachedUploads(db, storage)
      .then((r) => (r.unattached || r.orphans || r.tempFiles) && app.log.info(r, 'upload cleanup'))
      .catch((err: Error) => app.log.warn({ err: err.message }, 'upload cleanup failed'))
      .finally(() => (running = false));
  };
  const first = setTimeout(cleanup, 5 * 60 * 1000).unref();
  const timer = setInterval(cleanup, 60 * 60 * 1000).unref();
  app.addHook('onClose', async () => {
    clearTimeout(first);
    clearInterval(timer);
  });

  app.post(
    '/api/attachments',
    {
      schema: { tags, summary: 'Upload a handout (multipart, one part named "file", optionally preceded by a "description" field of at most 300 characters)', consumes: ['multipart/form-data'], response: { 201: Type.Object({ attachment: Attachment }), ...errors } },
      config: { rateLimit: postingLimit(app.config, 'uploadsPerHour') },
    },
    async (request, reply) => {
      const user = requireWriter(request);
      const file = await receiveFile(request, storage.tempDir, app.config.uploadMaxBytes);
      try {
        return reply.status(201).send({ attachment: await storeUpload(db, storage, user, file) });
      } finally {
        await fs.rm(file.tempFile, { force: true });
      }
    },
  );

  app.patch(
    '/api/attachments/:id',
    { schema: { tags, summary: 'Describe an upload (its uploader; before or after it is attached)', params: IdParams, body: UpdateAttachmentBody, response: { 200: Type.Object({ attachment: Attachment }), ...errors } } },
    async (request) => ({ attachment: await describeAttachment(db, requireWriter(request), request.params.id, request.body.description) }),
  );

  app.get(
    '/api/attachments/:id/download',
    { schema: { tags, summary: 'Download (as attachment, sniffed type, nosniff, sandboxed; ETag and ranges)', params: IdParams } },
    async (request, reply) => {
      const row = await findDownload(db, request.user, request.params.id);
      const size = Number(row.size);
      const etag = `"${row.sha256}"`;
      reply
        .header('content-type', row.content_type)
        .header('content-disposition', contentDisposition(row.filename))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', 'sandbox')
        .header('etag', etag)
        .header('accept-ranges', 'bytes')
        .header('cache-control', 'private, max-age=3600');
      if (etagMatches(request.headers['if-none-match'], etag)) return reply.status(304).send();
      const ifRange = request.headers['if-range'];
      const range = ifRange && ifRange !== etag ? null : parseRange(request.headers.range, size);
      if (range === 'unsatisfiable') {
        reply.header('content-range', `bytes */${size}`);
        throw new ApiError(416, 'range_not_satisfiable', 'The requested range is not available.');
      }
      if (range) {
        reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', range.end - range.start + 1);
        return reply.send(await storage.get(row.storage_key, range));
      }
      reply.header('content-length', size);
      return reply.send(await storage.get(row.storage_key));
    },
  );

  app.put(
    '/api/me/avatar',
    { schema: { tags: ['accounts'], summary: 'Set my profile photo (PNG, JPEG or WebP, at most 5 MB)', consumes: ['multipart/form-data'], response: { 200: Type.Object({ avatarUrl: Type.String() }), ...errors } }, config: { rateLimit: postingLimit(app.config, 'uploadsPerHour') } },
    async (request) => {
      const user = requireWriter(request);
      const file = await receiveFile(request, storage.tempDir, AVATAR_MAX_BYTES).catch((err) => {
        if (err instanceof ApiError && err.statusCode === 413) throw tooLarge('A profile photo can be at most 5 MB.');
        throw err;
      });
      try {
        const key = await setProfilePhoto(db, storage, user, file, request.log);
        return { avatarUrl: avatarUrl({ id: user.id, avatar_key: key }) };
      } finally {
        await fs.rm(file.tempFile, { force: true });
      }
    },
  );

  app.delete('/api/me/avatar', { schema: { tags: ['accounts'], summary: 'Remove my profile photo', response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    await setProfilePhoto(db, storage, requireWriter(request), null, request.log);
    return reply.status(204).send(null);
  });

  app.get(
    '/api/users/:id/avatar',
    { schema: { tags: ['accounts'], summary: 'Profile photo, or a generated initials avatar', params: IdParams, querystring: Type.Object({ v: Type.Optional(Type.String({ maxLength: 64 })) }) } },
    async (request, reply) => {
      // Every photo next to every post comes here: read just what it needs.
      const user = await avatarOf(db, request.params.id);
      // Immutable only for the URL of the current photo: a stale ?v= must not pin an old photo forever.
      const current = !!user.avatar_key && request.query.v === avatarVersion(user.avatar_key);
      const cache = current ? 'public, max-age=31536000, immutable' : 'public, max-age=300';
      reply.header('cache-control', cache).header('x-content-type-options', 'nosniff').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
      if (!user.avatar_key) return reply.type('image/svg+xml').send(initialsSvg(user.display_name, user.id));
      return reply.type('image/webp').send(await storage.get(user.avatar_key));
    },
  );

  // Organisation logos: kept by admins (the organisations domain owns the column), shown to everyone.
  app.put(
    '/api/admin/organisations/:id/logo',
    { schema: { tags: ['organisations'], summary: "Set an organisation's logo (admin; PNG, JPEG or WebP, at most 5 MB)", params: IdParams, consumes: ['multipart/form-data'], response: { 200: Type.Object({ logoUrl: Type.String() }), ...errors } }, config: { rateLimit: postingLimit(app.config, 'uploadsPerHour') } },
    async (request) => {
      const admin = requireRole(request, 'admin');
      const file = await receiveFile(request, storage.tempDir, AVATAR_MAX_BYTES).catch((err) => {
        if (err instanceof ApiError && err.statusCode === 413) throw tooLarge('A logo can be at most 5 MB.');
        throw err;
      });
      try {
        const key = await setOrganisationLogo(db, storage, admin, request.params.id, file, request.log);
        return { logoUrl: organisationLogoUrl({ id: request.params.id, logo_key: key })! };
      } finally {
        await fs.rm(file.tempFile, { force: true });
      }
    },
  );
  app.delete('/api/admin/organisations/:id/logo', { schema: { tags: ['organisations'], summary: "Remove an organisation's logo (admin)", params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    await setOrganisationLogo(db, storage, requireRole(request, 'admin'), request.params.id, null, request.log);
    return reply.status(204).send(null);
  });
  app.get(
    '/api/organisations/:id/logo',
    { schema: { tags: ['organisations'], summary: "An organisation's logo (404 without one)", params: IdParams, querystring: Type.Object({ v: Type.Optional(Type.String({ maxLength: 64 })) }) } },
    async (request, reply) => {
      const key = await organisationLogo(db, request.params.id);
      const current = request.query.v === key.slice(0, 12);
      reply.header('cache-control', current ? 'public, max-age=31536000, immutable' : 'public, max-age=300').header('x-content-type-options', 'nosniff').header('content-security-policy', "default-src 'none'; sandbox");
      return reply.type('image/webp').send(await storage.get(key));
    },
  );
};

export default attachmentRoutes;

