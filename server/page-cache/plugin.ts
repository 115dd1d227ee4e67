import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PageCache, gzipEtag, matchesEtag } from './cache';
import { CHANNELS_GROUP } from './groups';

declare module 'fastify' {
  interface FastifyInstance {
    pageCache: PageCache;
  }
}

export { CHANNELS_GROUP };

/**
 * The page cache of this instance, kept true by the event log: an event on `thread:<id>` drops that
 * thread's pages (and the channel lists that show it), one on `channel:<slug>` that channel's lists;
 * both drop the home page's channel list. A changed channel or author line clears the whole cache.
 * Other personal and moderator topics change no public page.
 */
export default fp(
  async (app) => {
    const cache = new PageCache(app.config.pageCacheBytes);
    app.decorate('pageCache', cache);
    app.realtime.onEvent((event) => {
      // Rare changes that reach many pages (a channel closed or renamed, an author renamed, a photo
      // changed): everything goes, rather than a page that shows the old state or a closed channel.
      if (event.type === 'channel.updated' || event.type === 'author.updated') {
        cache.clear();
        return;
      }
      if (event.topic.startsWith('thread:') || event.topic.startsWith('channel:')) {
        cache.invalidate(event.topic);
        cache.invalidate(CHANNELS_GROUP);
      }
    });
  },
  { name: 'plein-page-cache', dependencies: ['plein-realtime'] },
);

/**
 * Sends a page with its ETag (304 when the client has it). Anonymous answers may be kept by browsers
 * and proxies but must be revalidated; a signed-in reader's answer is theirs alone.
 */
export function sendPage(request: FastifyRequest, reply: FastifyReply, page: { body: string; etag: string; gzip?: Buffer; hit?: boolean }) {
  // The bytes compressed once when the page was cached, for every client that accepts gzip.
  const gzip = page.gzip && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '') ? page.gzip : null;
  reply.header('etag', gzip ? gzipEtag(page.etag) : page.etag);
  reply.header('vary', 'Cookie, Accept-Encoding');
  reply.header('cache-control', request.user ? 'private, no-store' : 'public, max-age=0, must-revalidate');
  if (page.hit !== undefined) reply.header('x-page-cache', page.hit ? 'hit' : 'miss');
  if (matchesEtag(request.headers['if-none-match'], page.etag)) return reply.code(304).send();
  reply.type('application/json; charset=utf-8');
  return gzip ? reply.header('content-encoding', 'gzip').send(gzip) : reply.send(page.body);
}
