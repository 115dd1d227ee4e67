// The small actions under a post: copy its link, "nuttig", and the edit history.
import { useState } from 'react';
import type { Revision } from '../../../../shared/schemas/moderation';
import { ActionError } from '../../components/ui';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/dates';
import { useAction } from '../../lib/useAction';

/** "Link kopiëren": the post's permalink to the clipboard, confirmed for screen readers too. */
export function CopyLinkButton({ url }: { url: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <>
      <button
        type="button"
        className="link-button copy-link"
        data-url={url}
        onClick={async () => {
          await navigator.clipboard?.writeText(url).catch(() => {});
          setCopied(true);
          setTimeout(() => setCopied(false), 3000);
        }}
      >
        {t('threadPage.copyLink')}
      </button>
      <span role="status" className={copied ? 'meta' : 'visually-hidden'}>
        {copied ? t('threadPage.linkCopied') : ''}
      </span>
    </>
  );
}

/**
 * "Nuttig": a toggle for signed-in members on someone else's post, the count for everyone. The count
 * comes from the server's answer (and live events), never from guessing.
 */
export function UsefulButton({ postId, count, mine, canMark, onChange }: { postId: string; count: number; mine: boolean; canMark: boolean; onChange(count: number, mine: boolean): void }) {
  const { t } = useI18n();
  const toggle = useAction(async () => {
    const res = await api<{ appreciationCount: number; myAppreciation: boolean }>(`/api/posts/${postId}/appreciation`, { method: mine ? 'DELETE' : 'PUT' });
    onChange(res.appreciationCount, res.myAppreciation);
  });
  return (
    <span className="useful">
      {canMark && (
        <button type="button" className={`button small ${mine ? '' : 'secondary'}`} aria-pressed={mine} onClick={() => void toggle.run()}>
          {t('threadPage.markUseful')}
        </button>
      )}{' '}
      {count > 0 && <span className="meta useful-count">{t('threadPage.usefulCount', { count })}</span>}
      <ActionError error={toggle.error} />
    </span>
  );
}

/** "Bewerkingen bekijken": the earlier versions the reader may see (the server's policy decides). */
export function EditHistory({ postId }: { postId: string }) {
  const { t, locale } = useI18n();
  const [items, setItems] = useState<Revision[] | null>(null);
  const load = useAction(async () => {
    const res = await api<{ items: Revision[] }>(`/api/posts/${postId}/revisions`);
    setItems(res.items);
  });
  return (
    <details
      className="edit-history"
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open && items === null) void load.run();
      }}
    >
      <summary>{t('threadPage.history')}</summary>
      <ActionError error={load.error} />
      {items && items.length === 0 && <p className="meta">{t('threadPage.historyEmpty')}</p>}
      {items && items.length > 0 && (
        <ol className="revisions" aria-label={t('threadPage.historyTitle')}>
          {items.map((r) => (
            <li key={r.id}>
              <p className="meta">{t('threadPage.historyEntry', { when: formatDateTime(r.createdAt, locale), name: r.editor.displayName })}</p>
              {r.title && <p className="revision-title">{r.title}</p>}
              {r.question && <p className="revision-question">{t('threadPage.historyQuestion', { question: r.question })}</p>}
              {/* biome-ignore lint/security/noDangerouslySetInnerHtml: revision bodies were sanitized on the server when they were posted (server/content/sanitize.ts) */}
              <div className="post-body" dangerouslySetInnerHTML={{ __html: r.body }} />
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
