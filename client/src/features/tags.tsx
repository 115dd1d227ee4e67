import type { Static } from '@sinclair/typebox';
import { useRef } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { SearchHit } from '../../../shared/schemas/search';
import { LoadMore, appendPage } from '../components/LoadMore';
import { AsyncView, Empty, PageTitle } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { formatRelative } from '../lib/dates';
import { useAsync } from '../lib/useAsync';
import { threadPath } from '../pages/paths';

type Hit = Static<typeof SearchHit>;

export const tagPath = (tag: string) => `/tag/${encodeURIComponent(tag)}`;

/** A thread's tags as links to their tag pages. */
export function TagLinks({ tags }: { tags: string[] }) {
  const { t } = useI18n();
  if (!tags.length) return null;
  return (
    <ul className="tags" aria-label={t('knowledgeSearch.tags')}>
      {tags.map((tag) => (
        <li key={tag}>
          <Link to={tagPath(tag)} aria-label={t('knowledgeSearch.tagLink', { tag })}>
            {tag}
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** /tag/:tag — every thread with a tag, newest first (the search API without words). */
export function TagPage() {
  const { t, locale } = useI18n();
  const tag = useParams().tag ?? '';
  const query = `tag=${encodeURIComponent(tag)}`;
  const [state, reload, update] = useAsync((signal) => api<{ items: Hit[]; nextCursor: string | null }>(`/api/search?${query}`, { signal }), [query]);
  const current = useRef(query);
  current.current = query;
  const loadMore = async (cursor: string) => {
    const asked = query;
    const page = await api<{ items: Hit[]; nextCursor: string | null }>(`/api/search?${asked}&cursor=${encodeURIComponent(cursor)}`);
    if (current.current !== asked) return;
    update((d) => ({ items: appendPage(d.items, page.items, (h) => h.thread.id), nextCursor: page.nextCursor }));
  };
  return (
    <>
      <PageTitle>{t('knowledgeSearch.tagTitle', { tag })}</PageTitle>
      <p>
        {t('knowledgeSearch.tagIntro', { tag })} <Link to={`/zoeken?${query}`}>{t('knowledgeSearch.tagSearch')}</Link>
      </p>
      <AsyncView state={state} onRetry={reload}>
        {({ items, nextCursor }) =>
          items.length === 0 ? (
            <Empty>{t('knowledgeSearch.tagEmpty')}</Empty>
          ) : (
            <>
              <ol className="card-list">
                {items.map((h) => (
                  <li key={h.thread.id} className="card">
                    <h2>
                      <Link to={threadPath(h.thread)}>{h.thread.title}</Link>
                    </h2>
                    <p className="meta">
                      <span className="channel-name">{h.thread.channelName}</span> · {formatRelative(h.thread.createdAt, locale)}
                    </p>
                    {/* The server escapes the snippet (no markup at all without words). */}
                    {/* biome-ignore lint/security/noDangerouslySetInnerHtml: the snippet is HTML-escaped on the server (server/search/query.ts) */}
                    <p className="snippet" dangerouslySetInnerHTML={{ __html: h.snippet }} />
                    <TagLinks tags={h.thread.tags} />
                  </li>
                ))}
              </ol>
              {nextCursor && <LoadMore key={query} cursor={nextCursor} load={loadMore} />}
            </>
          )
        }
      </AsyncView>
    </>
  );
}
