// Findable by everyone: robots.txt, a sitemap (an index plus pages of public threads, and the
// channels), and Atom feeds of the newest threads per channel and per tag. Only what an anonymous
// visitor may see is listed (threads/listings.ts asks the policy). Served whether or not this
// instance serves the web client.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { XMLBuilder } from 'fast-xml-parser';
import { threadPath } from '../../shared/paths';
import { nl } from '../../client/src/i18n/nl';
import { findChannelBySlug, listChannels } from '../channels/queries';
import { notFound } from '../http/errors';
import { maySeeChannel } from '../policy';
import { type FeedEntry, SITEMAP_PAGE_SIZE, newestThreadsInChannel, newestThreadsWithTag, sitemapPages, sitemapThreads } from '../threads/listings';

const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text', suppressEmptyNode: true });
// Characters XML 1.0 does not allow at all (control characters): dropped, or the document is not well-formed.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const clean = (s: string) => s.replace(NOT_XML, '');
const document = (root: Record<string, unknown>) => `<?xml version="1.0" encoding="UTF-8"?>\n${xml.build(root)}`;
const iso = (d: Date) => d.toISOString();

/** An Atom feed (RFC 4287): id, title, updated and author on the feed; id, title, updated, link on each entry. */
function atom(o: { id: string; title: string; self: string; alternate: string; entries: FeedEntry[]; base: string; fallbackUpdated: Date }): string {
  const updated = o.entries.length ? new Date(Math.max(...o.entries.map((e) => e.updatedAt.getTime()))) : o.fallbackUpdated;
  return document({
    feed: {
      '@_xmlns': 'http://www.w3.org/2005/Atom',
      '@_xml:lang': 'nl',
      id: o.id,
      title: clean(o.title),
      updated: iso(updated),
      author: { name: 'Plein' },
      generator: 'Plein',
      link: [
        { '@_rel': 'self', '@_type': 'application/atom+xml', '@_href': o.self },
        { '@_rel': 'alternate', '@_type': 'text/html', '@_href': o.alternate },
      ],
      entry: o.entries.map((e) => {
        const url = `${o.base}${threadPath(e)}`;
        return {
          id: url,
          title: clean(e.title),
          link: { '@_rel': 'alternate', '@_type': 'text/html', '@_href': url },
          published: iso(e.createdAt),
          updated: iso(e.updatedAt),
          author: { name: clean(e.authorName) },
          category: [{ '@_term': e.channelSlug, '@_label': clean(e.channelName) }, ...e.tags.map((tag) => ({ '@_term': clean(tag) }))],
          summary: clean(e.summary),
          content: { '@_type': 'html', '#text': clean(e.body) },
        };
      }),
    },
  });
}

const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 60 }) });
const TagParams = Type.Object({ tag: Type.String({ minLength: 1, maxLength: 60 }) });
const PageParams = Type.Object({ page: Type.String({ pattern: '^[0-9]{1,12}$' }) });
const hide = { hide: true };

const findability: FastifyPluginAsyncTypebox = async (app) => {
  const base = app.config.publicUrl;
  const sendXml = (reply: import('fastify').FastifyReply, type: string, body: string) =>
    reply.type(`${type}; charset=utf-8`).header('cache-control', 'public, max-age=300').send(body);

  app.get('/robots.txt', { schema: hide }, async (_request, reply) =>
    reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(['User-agent: *', 'Allow: /', 'Disallow: /api/', 'Disallow: /inloggen', 'Disallow: /aanmelden', 'Disallow: /instellingen', 'Disallow: /meldingen', 'Disallow: /moderatie', 'Disallow: /zoeken', '', `Sitemap: ${base}/sitemap.xml`, ''].join('\n')),
  );

  app.get('/sitemap.xml', { schema: hide }, async (_request, reply) => {
    const pages = await sitemapPages(app.db);
    const channels = await listChannels(app.db, null);
    const newestChannel = channels.reduce<Date | null>((max, c) => (c.lastActivityAt && (!max || new Date(c.lastActivityAt) > max) ? new Date(c.lastActivityAt) : max), null);
    return sendXml(
      reply,
      'application/xml',
      document({
        sitemapindex: {
          '@_xmlns': 'http://www.sitemaps.org/schemas/sitemap/0.9',
          sitemap: [
            { loc: `${base}/sitemap-channels.xml`, ...(newestChannel ? { lastmod: iso(newestChannel) } : {}) },
            ...pages.map((p) => ({ loc: `${base}/sitemap-threads-${p.page}.xml`, lastmod: iso(p.lastModified) })),
          ],
        },
      }),
    );
  });

  app.get('/sitemap-channels.xml', { schema: hide }, async (_request, reply) => {
    const channels = await listChannels(app.db, null);
    return sendXml(
      reply,
      'application/xml',
      document({
        urlset: {
          '@_xmlns': 'http://www.sitemaps.org/schemas/sitemap/0.9',
          url: [{ loc: `${base}/` }, ...channels.map((c) => ({ loc: `${base}/c/${c.slug}`, ...(c.lastActivityAt ? { lastmod: c.lastActivityAt } : {}) }))],
        },
      }),
    );
  });

  app.get<{ Params: { page: string } }>('/sitemap-threads-:page.xml', { schema: { ...hide, params: PageParams } }, async (request, reply) => {
    const page = Number(request.params.page);
    if (page > Number.MAX_SAFE_INTEGER / SITEMAP_PAGE_SIZE) throw notFound('sitemap');
    const threads = await sitemapThreads(app.db, page);
    if (!threads.length) throw notFound('sitemap');
    return sendXml(
      reply,
      'application/xml',
      document({
        urlset: {
          '@_xmlns': 'http://www.sitemaps.org/schemas/sitemap/0.9',
          url: threads.map((t) => ({ loc: `${base}${threadPath(t)}`, lastmod: iso(t.lastActivityAt) })),
        },
      }),
    );
  });

  app.get('/kanaal/:slug/feed.xml', { schema: { ...hide, params: SlugParams } }, async (request, reply) => {
    const channel = await findChannelBySlug(app.db, request.params.slug);
    // A feed is fetched without a session: a closed channel has none.
    if (!channel || !maySeeChannel(null, channel)) throw notFound('channel');
    const self = `${base}/kanaal/${encodeURIComponent(channel.slug)}/feed.xml`;
    const entries = await newestThreadsInChannel(app.db, channel.id);
    const title = nl.serverPages.channelFeed.replace('{name}', channel.name);
    return sendXml(reply, 'application/atom+xml', atom({ id: self, title, self, alternate: `${base}/c/${channel.slug}`, entries, base, fallbackUpdated: channel.created_at }));
  });

  app.get('/tag/:tag/feed.xml', { schema: { ...hide, params: TagParams } }, async (request, reply) => {
    const tag = request.params.tag.toLowerCase();
    const entries = await newestThreadsWithTag(app.db, tag);
    if (!entries.length) throw notFound('tag');
    const self = `${base}/tag/${encodeURIComponent(tag)}/feed.xml`;
    const title = nl.serverPages.tagFeed.replace('{tag}', tag);
    return sendXml(reply, 'application/atom+xml', atom({ id: self, title, self, alternate: `${base}/tag/${encodeURIComponent(tag)}`, entries, base, fallbackUpdated: new Date(0) }));
  });
};

export default findability;
