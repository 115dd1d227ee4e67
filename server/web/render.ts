// Server-rendered pages for the thread and channel URLs the client uses: the content in semantic HTML
// (readable without JavaScript and by search engines), with title, canonical link, OpenGraph and
// schema.org JSON-LD. The SPA renders over #root on load. Everything shown is the anonymous view the
// page cache holds (presented by the policy with no viewer); bodies are sanitized HTML from storage,
// everything else is escaped here.
import { nl } from '../../client/src/i18n/nl';
import { threadPath } from '../../shared/paths';
import type { Author } from '../../shared/schemas/accounts';
import type { Channel, Post, ThreadSummary } from '../../shared/schemas/forum';
import type { ChannelThreadsPage } from '../channels/page';
import { escapeHtml } from '../content/escape';
import { excerpt, plainText } from '../content/sanitize';
import type { ThreadPage } from '../threads/page';

const t = nl.serverPages;
const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ''));
const dateFormat = new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Amsterdam' });
const time = (iso: string) => `<time datetime="${escapeHtml(iso)}">${escapeHtml(dateFormat.format(new Date(iso)))}</time>`;

export interface RenderedPage {
  /** Replaces the <title> of index.html: title, meta, links, JSON-LD. */
  head: string;
  /** Goes inside <div id="root">. */
  body: string;
}

/** JSON for a <script> data block: nothing in it can end the element or start markup. */
export const jsonForScript = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

function metaTags(o: { title: string; description: string; url: string; type: 'article' | 'website'; feeds: Array<{ title: string; href: string }>; noindex?: boolean }): string[] {
  const title = escapeHtml(o.title);
  const description = escapeHtml(o.description);
  const url = escapeHtml(o.url);
  return [
    `<title>${title} · Plein</title>`,
    `<meta name="description" content="${description}">`,
    ...(o.noindex ? ['<meta name="robots" content="noindex">'] : []),
    `<link rel="canonical" href="${url}">`,
    `<meta property="og:type" content="${o.type}">`,
    '<meta property="og:site_name" content="Plein">',
    `<meta property="og:title" content="${title}">`,
    `<meta property="og:description" content="${description}">`,
    `<meta property="og:url" content="${url}">`,
    '<meta property="og:locale" content="nl_NL">',
    '<meta name="twitter:card" content="summary">',
    `<meta name="twitter:title" content="${title}">`,
    `<meta name="twitter:description" content="${description}">`,
    ...o.feeds.map((f) => `<link rel="alternate" type="application/atom+xml" title="${escapeHtml(f.title)}" href="${escapeHtml(f.href)}">`),
  ];
}

const person = (author: Author, base: string) => ({ '@type': 'Person', name: author.displayName, url: `${base}/u/${author.id}` });

function byline(author: Author, at: string, base: string): string {
  const role = [author.jobTitle, author.organisation].filter(Boolean).map(escapeHtml).join(', ');
  return `<p class="byline"><a rel="author" href="${escapeHtml(`${base}/u/${author.id}`)}">${escapeHtml(author.displayName)}</a>${role ? ` · ${role}` : ''} · ${time(at)}</p>`;
}

function postBody(post: { hidden?: boolean; body: string }): string {
  return post.hidden && !post.body ? `<p class="hidden-post"><em>${escapeHtml(t.hidden)}</em></p>` : `<div class="post-body">${post.body}</div>`;
}

/** The channel's feed and each tag's, for <link rel=alternate>. */
export const channelFeed = (base: string, channel: { slug: string; name: string }) => ({ title: fill(t.channelFeed, { name: channel.name }), href: `${base}/kanaal/${encodeURIComponent(channel.slug)}/feed.xml` });
export const tagFeed = (base: string, tag: string) => ({ title: fill(t.tagFeed, { tag }), href: `${base}/tag/${encodeURIComponent(tag)}/feed.xml` });

export function renderThreadPage(page: ThreadPage, base: string): RenderedPage {
  const { thread } = page;
  const url = `${base}${threadPath(thread)}`;
  const openingText = plainText(thread.body);
  const visibleReplies = page.replies.items.filter((p) => !p.hidden);
  const replyUrl = (p: Post) => `${url}#post-${p.id}`;
  const question = thread.kind === 'question' && thread.question ? thread.question : null;
  const accepted = thread.acceptedAnswer ? visibleReplies.find((p) => p.id === thread.acceptedAnswer?.postId) : undefined;
  const answer = (p: Post) => ({ '@type': 'Answer', text: plainText(p.body), dateCreated: p.createdAt, author: person(p.author, base), url: replyUrl(p) });
  const structured =
    thread.kind === 'question'
      ? {
          '@context': 'https://schema.org',
          '@type': 'QAPage',
          mainEntity: {
            '@type': 'Question',
            name: thread.title,
            text: [question, openingText].filter(Boolean).join('\n\n') || thread.title,
            dateCreated: thread.createdAt,
            author: person(thread.author, base),
            answerCount: thread.replyCount,
            url,
            ...(accepted ? { acceptedAnswer: answer(accepted) } : {}),
            suggestedAnswer: visibleReplies.filter((p) => p !== accepted).map(answer),
          },
        }
      : {
          '@context': 'https://schema.org',
          '@type': 'DiscussionForumPosting',
          headline: thread.title,
          text: openingText,
          datePublished: thread.createdAt,
          ...(thread.editedAt ? { dateModified: thread.editedAt } : {}),
          author: person(thread.author, base),
          url,
          interactionStatistic: { '@type': 'InteractionCounter', interactionType: 'https://schema.org/CommentAction', userInteractionCount: thread.replyCount },
          comment: visibleReplies.map((p) => ({ '@type': 'Comment', text: plainText(p.body), datePublished: p.createdAt, author: person(p.author, base), url: replyUrl(p) })),
        };
  const head = [
    ...metaTags({
      title: thread.title,
      description: thread.hidden ? '' : excerpt(question ?? openingText, 200),
      url,
      type: 'article',
      feeds: [channelFeed(base, { slug: thread.channelSlug, name: thread.channelName }), ...thread.tags.map((tag) => tagFeed(base, tag))],
      noindex: thread.hidden === true,
    }),
    `<script type="application/ld+json">${jsonForScript(structured)}</script>`,
  ].join('\n    ');

  const replies = page.replies.items
    .map(
      (p) => `<li><article id="post-${escapeHtml(p.id)}" class="reply${p === accepted ? ' accepted' : ''}">
        <header>${p === accepted ? `<p class="accepted-badge"><strong>${escapeHtml(t.bestAnswer)}</strong></p>` : ''}${byline(p.author, p.createdAt, base)}</header>
        ${postBody(p)}
      </article></li>`,
    )
    .join('\n      ');
  const tags = thread.tags.length
    ? `<ul class="tags" aria-label="${escapeHtml(t.tags)}">${thread.tags.map((tag) => `<li><a href="${escapeHtml(`${base}/tag/${encodeURIComponent(tag)}`)}" rel="tag">${escapeHtml(tag)}</a></li>`).join('')}</ul>`
    : '';
  const body = `<main class="ssr">
  <nav aria-label="${escapeHtml(nl.app.breadcrumbs)}"><a href="${escapeHtml(`${base}/`)}">Plein</a> › <a href="${escapeHtml(`${base}/c/${thread.channelSlug}`)}">${escapeHtml(thread.channelName)}</a></nav>
  <article class="thread">
    <header>
      <p class="kind">${escapeHtml(thread.kind === 'question' ? t.question : t.discussion)}</p>
      <h1>${escapeHtml(thread.title)}</h1>
      ${byline(thread.author, thread.createdAt, base)}
    </header>
    ${question ? `<blockquote class="question-lead"><p>${escapeHtml(question)}</p></blockquote>\n    <h2 class="lead-heading">${escapeHtml(t.toelichting)}</h2>` : ''}
    ${postBody(thread)}
    ${accepted ? `<p class="best-answer-link"><a href="#post-${escapeHtml(accepted.id)}">${escapeHtml(t.readBestAnswer)}</a></p>` : ''}
    ${tags}
  </article>
  <section aria-labelledby="replies-heading">
    <h2 id="replies-heading">${escapeHtml(t.replies)} (${thread.replyCount})</h2>
    ${page.replies.items.length ? `<ol class="replies">\n      ${replies}\n    </ol>` : `<p>${escapeHtml(t.noReplies)}</p>`}
  </section>
</main>`;
  return { head, body };
}

export function renderChannelPage(channel: Channel, page: ChannelThreadsPage, base: string, nextHref: string | null): RenderedPage {
  const url = `${base}/c/${channel.slug}`;
  const head = metaTags({ title: channel.name, description: channel.description, url, type: 'website', feeds: [channelFeed(base, channel)] }).join('\n    ');
  const item = (s: ThreadSummary) => `<li><article>
        <h2><a href="${escapeHtml(`${base}${threadPath(s)}`)}">${escapeHtml(s.title)}</a></h2>
        ${s.excerpt ? `<p>${escapeHtml(s.excerpt)}</p>` : ''}
        <p class="meta">${escapeHtml(s.author.displayName)} · ${escapeHtml(fill(t.replyCount, { count: s.replyCount }))} · ${time(s.lastActivityAt)}</p>
      </article></li>`;
  const body = `<main class="ssr">
  <nav aria-label="${escapeHtml(nl.app.breadcrumbs)}"><a href="${escapeHtml(`${base}/`)}">Plein</a></nav>
  <header>
    <h1>${escapeHtml(channel.name)}</h1>
    ${channel.description ? `<p>${escapeHtml(channel.description)}</p>` : ''}
  </header>
  <section aria-labelledby="threads-heading">
    <h2 id="threads-heading">${escapeHtml(t.threads)}</h2>
    ${page.items.length ? `<ol class="threads">\n      ${page.items.map(item).join('\n      ')}\n    </ol>` : `<p>${escapeHtml(t.noThreads)}</p>`}
    ${nextHref ? `<p><a rel="next" href="${escapeHtml(nextHref)}">${escapeHtml(t.olderThreads)}</a></p>` : ''}
  </section>
</main>`;
  return { head, body };
}
