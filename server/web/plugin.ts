import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { threadPath } from '../../shared/paths';
import { postPermalink, threadPreview } from '../threads/queries';
import { escapeHtml } from '../content/escape';

export const clientDistDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/client');


/**
 * Serves the built SPA from dist/client with history-API fallback: any GET that is not /api/*
 * and not a file gets index.html, so deep links work. Thread URLs (/t/:id/...) get OpenGraph and
 * Twitter tags with the thread's title and first lines, so a link pasted in Teams or LinkedIn previews.
 */
const webPlugin: FastifyPluginAsync = async (app) => {
  const indexFile = path.join(clientDistDir, 'index.html');
  let spaHtml: string | null = null;

  // A post's short link: 302 to its thread at that post; a deleted or unknown post → the 404 page.
  app.get<{ Params: { postId: string } }>('/p/:postId', { schema: { hide: true } }, async (request, reply) => {
    const target = await postPermalink(app.db, request.params.postId);
    if (!target) {
      if (spaHtml) return reply.status(404).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(spaHtml);
      return reply.status(404).send({ error: { code: 'not_found', message: 'This post does not exist.' } });
    }
    const at = target.isOpening ? '' : `#post-${target.postId}`;
    return reply.redirect(`${threadPath({ id: target.threadId, title: target.title })}${at}`, 302);
  });

  if (!existsSync(indexFile)) {
    app.log.warn('dist/client is missing: run `npm run build` to serve the web client');
    return;
  }
  await app.register(fastifyStatic, {
    root: clientDistDir,
    wildcard: false,
    index: false,
    setHeaders(res, filePath) {
      // Vite's hashed assets never change; index.html always revalidates.
      if (filePath.includes(`${path.sep}assets${path.sep}`)) res.header("cache-control", "public, max-age=31536000, immutable");
    },
  });
  const indexHtml = await readFile(indexFile, 'utf8');
  spaHtml = indexHtml;

  async function threadMeta(id: string): Promise<string> {
    const preview = await threadPreview(app.db, id);
    if (!preview) return '';
    const title = escapeHtml(preview.title);
    const description = escapeHtml(preview.description);
    const url = escapeHtml(`${app.config.publicUrl}/t/${id}`);
    return [
      `<title>${title} · Plein</title>`,
      `<meta name="description" content="${description}">`,
      `<meta property="og:type" content="article">`,
      `<meta property="og:site_name" content="Plein">`,
      `<meta property="og:title" content="${title}">`,
      `<meta property="og:description" content="${description}">`,
      `<meta property="og:url" content="${url}">`,
      `<meta name="twitter:card" content="summary">`,
      `<meta name="twitter:title" content="${title}">`,
      `<meta name="twitter:description" content="${description}">`,
      `<link rel="canonical" href="${url}">`,
    ].join('\n    ');
  }

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const pathname = request.url.split('?')[0];
    if (pathname.startsWith('/api/') || pathname === '/api') {
      return reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${pathname}` } });
    }
    let html = indexHtml;
    const thread = /^\/t\/([1-9][0-9]{0,18})(?:\/|$)/.exec(pathname);
    if (thread) {
      const meta = await threadMeta(thread[1]).catch(() => '');
      if (meta) html = html.replace(/<title>[^<]*<\/title>/, meta);
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
};

export default webPlugin;
