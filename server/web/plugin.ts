import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { threadPath } from '../../shared/paths';
import { readChannelThreads, readChannels } from '../channels/page';
import { ApiError } from '../http/errors';
import { readThreadPage } from '../threads/page';
import { postPermalink } from '../threads/queries';
import { type RenderedPage, renderChannelPage, renderThreadPage } from './render';

export const clientDistDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/client');


/**
 * Serves the built SPA from dist/client with history-API fallback: any GET that is not /api/*
 * and not a file gets index.html, so deep links work. Thread (/t/:id/...) and channel (/c/:slug) URLs
 * come with their content rendered on the server (render.ts): readable without JavaScript, indexed by
 * search engines, previewed in Teams or LinkedIn; the SPA renders over it on load.
 */
const webPlugin: FastifyPluginAsync = async (app) => {
  const indexFile = path.join(clientDistDir, 'index.html');
  let spaHtml: string | null = null;

  // A post's short link: 302 to its thread at that post; a deleted or unknown post → the 404 page.
  app.get<{ Params: { postId: string } }>('/p/:postId', { schema: { hide: true } }, async (request, reply) => {
    const target = await postPermalink(app.db, request.user, request.params.postId);
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

  const base = app.config.publicUrl;
  const applied = () => String(app.realtime.lastDeliveredId ?? 0);

  /** The page for a client URL, rendered on the server from the page cache; null for the SPA alone. 404 when it names nothing. */
  async function render(pathname: string, query: Record<string, string | undefined>): Promise<(RenderedPage & { status: number }) | null> {
    const thread = /^\/t\/([1-9][0-9]{0,18})(?:\/[^/]*)?$/.exec(pathname);
    if (thread) {
      const page = await readThreadPage(app.db, app.pageCache, null, thread[1], 50).catch(notFoundAsNull);
      return page ? { ...renderThreadPage(page.value, base), status: 200 } : notFoundPage;
    }
    const channel = /^\/c\/([a-z0-9-]{1,60})$/.exec(pathname);
    if (channel) {
      const slug = channel[1];
      const found = (await readChannels(app.db, app.pageCache, applied)).value.items.find((c) => c.slug === slug);
      if (!found) return notFoundPage;
      const cursor = typeof query.cursor === 'string' && query.cursor.length <= 500 ? query.cursor : undefined;
      const page = await readChannelThreads(app.db, app.pageCache, slug, 50, cursor).catch((err) => {
        if (err instanceof ApiError && err.statusCode === 400) return readChannelThreads(app.db, app.pageCache, slug, 50, undefined);
        throw err;
      });
      const next = page.value.nextCursor ? `${base}/c/${slug}?cursor=${encodeURIComponent(page.value.nextCursor)}` : null;
      return { ...renderChannelPage(found, page.value, base, next), status: 200 };
    }
    return null;
  }

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const pathname = request.url.split('?')[0];
    if (pathname.startsWith('/api/') || pathname === '/api') {
      return reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${pathname}` } });
    }
    let html = indexHtml;
    let status = 200;
    const page = await render(pathname, request.query as Record<string, string | undefined>).catch((err) => {
      request.log.warn({ err: (err as Error).message }, 'web: server rendering failed; serving the SPA alone');
      return null;
    });
    if (page) {
      status = page.status;
      // Replacement functions, not strings: `$&`, `$\`` and `$'` in a title are text, not patterns.
      html = html.replace(/<title>[^<]*<\/title>/, () => page.head).replace('<div id="root"></div>', () => `<div id="root">${page.body}</div>`);
    }
    return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
};

const notFoundPage = { head: '<title>Niet gevonden · Plein</title>\n    <meta name="robots" content="noindex">', body: '', status: 404 };

function notFoundAsNull(err: unknown): null {
  if (err instanceof ApiError && err.statusCode === 404) return null;
  throw err;
}

export default webPlugin;
