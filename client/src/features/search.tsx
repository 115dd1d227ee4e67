import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { ThreadSummary } from '../../../shared/schemas/forum';
import { AsyncView, Empty, PageTitle } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { formatRelative } from '../lib/dates';
import { useAsync } from '../lib/useAsync';
import { threadPath } from '../pages/paths';

interface Hit {
  thread: ThreadSummary;
  post?: { id: string; authorName: string; createdAt: string };
  snippet: string;
}

export function SearchBox() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [q, setQ] = useState(params.get('q') ?? '');
  return (
    <form role="search" className="search-box" onSubmit={(e) => { e.preventDefault(); if (q.trim()) navigate(`/zoeken?q=${encodeURIComponent(q.trim())}`); }}>
      <label htmlFor="site-search" className="visually-hidden">{t('search.label')}</label>
      <input id="site-search" type="search" placeholder={t('search.placeholder')} value={q} onChange={(e) => setQ(e.target.value)} maxLength={200} />
      <button type="submit" className="button small">{t('search.label')}</button>
    </form>
  );
}

export function SearchPage() {
  const { t, locale } = useI18n();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const query = params.toString();
  const [state, reload] = useAsync((signal) => (q ? api<{ items: Hit[] }>(`/api/search?${query}`, { signal }) : Promise.resolve({ items: [] })), [query]);
  const [channel, setChannel] = useState(params.get('channel') ?? '');
  const [kind, setKind] = useState(params.get('kind') ?? '');
  const [unanswered, setUnanswered] = useState(params.get('unanswered') === 'true');
  return (
    <>
      <PageTitle>{q ? t('search.resultsFor', { q }) : t('search.title')}</PageTitle>
      <form className="filters" aria-label={t('search.filters')} onSubmit={(e) => {
        e.preventDefault();
        const next = new URLSearchParams({ q });
        if (channel) next.set('channel', channel);
        if (kind) next.set('kind', kind);
        if (unanswered) next.set('unanswered', 'true');
        setParams(next);
      }}>
        <label htmlFor="f-channel">{t('search.channel')}</label>
        <input id="f-channel" type="text" value={channel} onChange={(e) => setChannel(e.target.value)} placeholder={t('search.allChannels')} />
        <label htmlFor="f-kind">{t('search.kind')}</label>
        <select id="f-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="">{t('search.anyKind')}</option>
          <option value="question">{t('channel.question')}</option>
          <option value="discussion">{t('channel.discussion')}</option>
        </select>
        <label className="inline"><input type="checkbox" checked={unanswered} onChange={(e) => setUnanswered(e.target.checked)} /> {t('search.unanswered')}</label>
        <button type="submit" className="button small">{t('search.apply')}</button>
      </form>
      <AsyncView state={state} onRetry={reload}>
        {({ items }) =>
          items.length === 0 ? (
            q ? <Empty>{t('search.empty')}</Empty> : null
          ) : (
            <ol className="card-list search-results">
              {items.map((h) => (
                <li key={h.thread.id} className="card">
                  <h2>
                    <Link to={`${threadPath(h.thread)}${h.post ? `#post-${h.post.id}` : ''}`}>{h.thread.title}</Link>
                  </h2>
                  <p className="meta">
                    {h.thread.channelSlug} · {formatRelative(h.thread.lastActivityAt, locale)}
                    {h.post ? ` · ${t('search.inReply', { name: h.post.authorName })}` : ''}
                  </p>
                  {/* The server escapes everything in the snippet except <mark>. */}
                  <p className="snippet" dangerouslySetInnerHTML={{ __html: h.snippet }} />
                </li>
              ))}
            </ol>
          )
        }
      </AsyncView>
    </>
  );
}

/** "Vergelijkbare vragen" while a new question's title is typed (debounced). */
export function SimilarQuestions({ title }: { title: string }) {
  const { t } = useI18n();
  const [items, setItems] = useState<ThreadSummary[]>([]);
  useEffect(() => {
    if (title.trim().length < 5) return setItems([]);
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api<{ items: ThreadSummary[] }>(`/api/search/similar?title=${encodeURIComponent(title.trim())}`, { signal: controller.signal }).then((r) => setItems(r.items), () => {});
    }, 350);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [title]);
  if (!items.length) return null;
  return (
    <aside className="similar notice" aria-live="polite">
      <h2>{t('search.similar')}</h2>
      <ul>
        {items.map((th) => (
          <li key={th.id}>
            <Link to={threadPath(th)} target="_blank">{th.title}</Link>
          </li>
        ))}
      </ul>
    </aside>
  );
}
