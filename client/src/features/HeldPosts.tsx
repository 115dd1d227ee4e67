import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import type { HeldPost } from '../../../shared/schemas/guardrail';
import { topics } from '../../../shared/topics';
import { AsyncView, Empty, errorMessage } from '../components/ui';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { formatDateTime } from '../lib/dates';
import { subscribe } from '../lib/realtime';
import { useAsync } from '../lib/useAsync';
import { ConfirmButton } from './ModerationCount';

type Page = { items: HeldPost[]; nextCursor: string | null };

/** Posts the guardrail held (possible client data): approve to publish, or remove; the writer is told. */
export function HeldPostsQueue({ onDecided }: { onDecided(): void }) {
  const { t, locale } = useI18n();
  const [state, reload] = useAsync((signal) => api<Page>('/api/mod/held-posts', { signal }), []);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => subscribe(topics.mod, { onEvent: (e) => e.event === 'moderation.count' && reload() }), [reload]);
  const decide = async (h: HeldPost, decision: 'approve' | 'remove') => {
    setError(null);
    try {
      await api(`/api/mod/held-posts/${h.post.id}/decision`, { method: 'POST', body: { decision } });
      setDone(decision === 'approve' ? t('guardrail.approved') : t('guardrail.removed'));
      reload();
      onDecided();
    } catch (err) {
      setError(errorMessage(err, t));
    }
  };
  return (
    <section aria-labelledby="held-title">
      <h2 id="held-title">{t('guardrail.queueTitle')}</h2>
      <p className="meta">{t('guardrail.queueIntro')}</p>
      {done && <p role="status">{done}</p>}
      {error && <p className="field-error" role="alert">{error}</p>}
      <AsyncView state={state} onRetry={reload}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>{t('guardrail.queueEmpty')}</Empty>
          ) : (
            <ul className="card-list">
              {page.items.map((h) => (
                <li key={h.post.id} className="card held-post">
                  <p className="meta">
                    {h.post.author.displayName} · <Link to={`/t/${h.post.threadId}#post-${h.post.id}`}>{h.post.threadTitle}</Link> · {formatDateTime(h.heldAt, locale)}
                  </p>
                  <blockquote>{h.post.excerpt}</blockquote>
                  <ul>
                    {h.findings.map((f) => (
                      <li key={`${f.kind}-${f.excerpt}`}>
                        {t(`guardrail.kinds.${f.kind}`)}: <code>{f.excerpt}</code>
                      </li>
                    ))}
                  </ul>
                  <ConfirmButton className="button small" label={t('guardrail.approve')} question={t('guardrail.confirmApprove')} confirmLabel={t('guardrail.yesApprove')} onConfirm={() => decide(h, 'approve')} />{' '}
                  <ConfirmButton label={t('guardrail.remove')} question={t('guardrail.confirmRemove')} confirmLabel={t('guardrail.yesRemove')} onConfirm={() => decide(h, 'remove')} />
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
    </section>
  );
}
