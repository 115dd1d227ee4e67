import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { PublicProfile } from '../../../shared/schemas/accounts';
import type { Channel, ThreadSummary } from '../../../shared/schemas/forum';
import type { SearchHit } from '../../../shared/schemas/search';
import type { Static } from '@sinclair/typebox';
import { LoadMore, appendPage } from '../components/LoadMore';
import { AsyncView, Empty, PageTitle } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { formatRelative } from '../lib/dates';
import { useAsync } from '../lib/useAsync';
import { threadPath } from '../pages/paths';
import { TagLinks } from './tags';

type Hit = Static<typeof SearchHit>;

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

/** The search page's filters as they stand in its address: every one optional except the words (`q`). */
const FILTERS = ['q', 'channel', 'tag', 'kind', 'unanswered', 'hasAttachments', 'inAttachments', 'from', 'to', 'author'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

function readFilters(params: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ''])) as Filters;
}

/** The address (and API) query for filters: empty ones left out, so a shared link holds only what was chosen. */
function filterParams(f: Filters): URLSearchParams {
  const next = new URLSearchParams();
  for (const k of FILTERS) {
    const v = k === 'q' || k === 'tag' ? f[k].trim() : f[k];
    if (v) next.set(k, v);
  }
  return next;
}

interface SearchResults {
  items: Hit[];
  nextCursor: string | null;
}

/** Without words the API lists newest first when one of these filters is given. */
const canBrowse = (f: Filters) => !!(f.q.trim() || f.author || f.tag.trim() || f.channel);

/**
 * Search results with the filters the API has (Discourse's advanced search as the model): words, channel,
 * tag, kind, unanswered questions, with handouts, a date range, and an author (a removable chip, set by
 * "Berichten zoeken" on a profile). Everything is in the address, so a search can be shared and the back
 * button goes to the previous one. The API needs words: without them the search box gets the focus.
 */
export function SearchPage() {
  const { t, locale } = useI18n();
  const [params, setParams] = useSearchParams();
  const applied = readFilters(params);
  const query = filterParams(applied).toString();
  const [state, reload, update] = useAsync<SearchResults>(
    (signal) => (canBrowse(applied) ? api<SearchResults>(`/api/search?${query}`, { signal }) : Promise.resolve({ items: [], nextCursor: null })),
    [query],
  );
  const [channelState] = useAsync((signal) => api<{ items: Channel[] }>('/api/channels', { signal }), []);
  const channels = channelState.status === 'ready' ? channelState.data.items : [];
  const [authorState] = useAsync(
    (signal) => (applied.author ? api<{ user: PublicProfile }>(`/api/users/${encodeURIComponent(applied.author)}`, { signal }).then((r) => r.user) : Promise.resolve(null)),
    [applied.author],
  );
  const authorName = authorState.status === 'ready' ? authorState.data?.displayName : authorState.status === 'error' ? t('search.unknownAuthor') : '…';

  // The form shows what is applied, also after the back button; changes count once submitted.
  const [form, setForm] = useState(applied);
  const [formError, setFormError] = useState<{ field: 'q' | 'to'; message: string } | null>(null);
  const qRef = useRef<HTMLInputElement>(null);
  // A new address: the form shows it, and with no words yet (e.g. from a profile's "Berichten zoeken")
  // the search box has the focus. This runs after PageTitle has focused the heading.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs for the listed keys on purpose; the other values are read through refs or are stable
  useEffect(() => {
    setForm(applied);
    setFormError(null);
    if (!applied.q.trim()) qRef.current?.focus();
  }, [query]);

  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const toggle = (k: 'unanswered' | 'hasAttachments' | 'inAttachments') => (e: { target: { checked: boolean } }) => setForm((f) => ({ ...f, [k]: e.target.checked ? 'true' : '' }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!canBrowse(form)) {
      setFormError({ field: 'q', message: t('knowledgeSearch.needWordsOrFilter') });
      qRef.current?.focus();
      return;
    }
    if (form.from && form.to && form.to < form.from) {
      setFormError({ field: 'to', message: t('search.dateOrder') });
      document.getElementById('f-to')?.focus();
      return;
    }
    setFormError(null);
    setParams(filterParams(form));
  };
  const removeAuthor = () => {
    setParams(filterParams({ ...form, author: '' }));
    qRef.current?.focus();
  };

  // "Meer laden" appends the next page of this search; an answer for a search since replaced is dropped.
  const current = useRef(query);
  current.current = query;
  const loadMore = async (cursor: string) => {
    const asked = query;
    const page = await api<SearchResults>(`/api/search?${asked}&cursor=${encodeURIComponent(cursor)}`);
    if (current.current !== asked) return;
    update((d) => ({ items: appendPage(d.items, page.items, (h) => h.thread.id), nextCursor: page.nextCursor }));
  };

  // A refused field is marked invalid and described by its error text.
  const errorProps = (field: 'q' | 'to') => (formError?.field === field ? { 'aria-invalid': true, 'aria-describedby': `f-${field}-error` } : {});
  const errorText = (field: 'q' | 'to') =>
    formError?.field === field && (
      <p className="field-error" id={`f-${field}-error`}>
        {formError.message}
      </p>
    );
  const authorChip = t('search.byAuthor', { name: authorName ?? '' });
  return (
    <>
      <PageTitle>{applied.q ? t('search.resultsFor', { q: applied.q }) : t('search.label')}</PageTitle>
      <form className="search-form card" aria-label={t('search.advanced')} onSubmit={submit} noValidate>
        <div className="search-query">
          <label htmlFor="f-q">{t('search.words')}</label>
          <div className="search-query-row">
            <input id="f-q" ref={qRef} type="search" value={form.q} onChange={set('q')} maxLength={200} placeholder={t('search.placeholder')} {...errorProps('q')} />
            <button type="submit" className="button">
              {t('search.submit')}
            </button>
          </div>
          {errorText('q')}
        </div>
        {applied.author && (
          <p className="chips">
            <span className="chip">
              {authorChip}
              <button type="button" className="chip-remove" aria-label={t('search.removeFilter', { filter: authorChip })} onClick={removeAuthor}>
                <span aria-hidden="true">×</span>
              </button>
            </span>
          </p>
        )}
        <fieldset className="filters">
          <legend>{t('search.filters')}</legend>
          <span className="filter">
            <label htmlFor="f-channel">{t('search.channel')}</label>
            <select id="f-channel" value={form.channel} onChange={set('channel')}>
              <option value="">{t('search.allChannels')}</option>
              {channels.map((c) => (
                <option key={c.slug} value={c.slug}>
                  {c.name}
                </option>
              ))}
              {/* A channel in the address that the list does not (or not yet) have stays chosen. */}
              {form.channel && !channels.some((c) => c.slug === form.channel) && <option value={form.channel}>{form.channel}</option>}
            </select>
          </span>
          <span className="filter">
            <label htmlFor="f-tag">{t('search.tag')}</label>
            <input id="f-tag" type="text" value={form.tag} onChange={set('tag')} maxLength={40} size={14} />
          </span>
          <span className="filter">
            <label htmlFor="f-kind">{t('search.kind')}</label>
            <select id="f-kind" value={form.kind} onChange={set('kind')}>
              <option value="">{t('search.anyKind')}</option>
              <option value="question">{t('channel.question')}</option>
              <option value="discussion">{t('channel.discussion')}</option>
            </select>
          </span>
          <span className="filter">
            <label htmlFor="f-from">{t('search.from')}</label>
            <input id="f-from" type="date" value={form.from} max={form.to || undefined} onChange={set('from')} />
          </span>
          <span className="filter">
            <label htmlFor="f-to">{t('search.to')}</label>
            <input id="f-to" type="date" value={form.to} min={form.from || undefined} onChange={set('to')} {...errorProps('to')} />
          </span>
          <label className="inline">
            <input type="checkbox" checked={form.unanswered === 'true'} onChange={toggle('unanswered')} /> {t('search.unanswered')}
          </label>
          <label className="inline">
            <input type="checkbox" checked={form.hasAttachments === 'true'} onChange={toggle('hasAttachments')} /> {t('search.hasAttachments')}
          </label>
          <label className="inline">
            <input type="checkbox" checked={form.inAttachments === 'true'} onChange={toggle('inAttachments')} /> {t('knowledgeSearch.inAttachments')}
          </label>
          {errorText('to')}
        </fieldset>
      </form>
      {!canBrowse(applied) ? (
        <Empty>{t('search.typeWords')}</Empty>
      ) : (
        <AsyncView state={state} onRetry={reload}>
          {({ items, nextCursor }) =>
            items.length === 0 ? (
              <Empty>{t('search.empty')}</Empty>
            ) : (
              <>
                <ol className="card-list search-results">
                  {items.map((h) => (
                    <li key={h.thread.id} className="card">
                      <h2>
                        <Link to={`${threadPath(h.thread)}${h.post ? `#post-${h.post.id}` : ''}`}>{h.thread.title}</Link>
                      </h2>
                      <p className="meta">
                        <span className="channel-name">{h.thread.channelName}</span> · {formatRelative(h.thread.lastActivityAt, locale)}
                        {h.post ? ` · ${t('search.inReply', { name: h.post.authorName })}` : ''}
                        {h.attachment ? ` · ${t('knowledgeSearch.inHandout', { name: h.attachment.filename })}` : ''}
                      </p>
                      {h.thread.tags.length > 0 && <TagLinks tags={h.thread.tags} />}
                      {/* The server escapes everything in the snippet except <mark>. */}
                      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: post bodies are sanitized on the server (sanitize-html, server/content/sanitize.ts); snippets are escaped except <mark> */}
                      <p className="snippet" dangerouslySetInnerHTML={{ __html: h.snippet }} />
                    </li>
                  ))}
                </ol>
                {/* One per search: a failure of the last one's "Meer laden" is not shown under a new search. */}
                {nextCursor && <LoadMore key={query} cursor={nextCursor} load={loadMore} />}
              </>
            )
          }
        </AsyncView>
      )}
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
