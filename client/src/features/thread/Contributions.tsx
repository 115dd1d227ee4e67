// On a profile: what the member contributed (threads, replies, best answers, "nuttig" received).
import type { Contributions as Counts } from '../../../../shared/schemas/forum';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { useAsync } from '../../lib/useAsync';

export function Contributions({ userId }: { userId: string }) {
  const { t, locale } = useI18n();
  const [state] = useAsync((signal) => api<{ contributions: Counts }>(`/api/users/${encodeURIComponent(userId)}/contributions`, { signal }), [userId]);
  if (state.status !== 'ready') return null;
  const c = state.data.contributions;
  const n = (v: number) => v.toLocaleString(locale === 'nl' ? 'nl-NL' : 'en-GB');
  return (
    <section className="contributions" aria-labelledby="contributions-title">
      <h2 id="contributions-title">{t('threadPage.contributions')}</h2>
      <dl>
        <div>
          <dt>{t('threadPage.threads')}</dt>
          <dd>{n(c.threads)}</dd>
        </div>
        <div>
          <dt>{t('threadPage.replies')}</dt>
          <dd>{n(c.replies)}</dd>
        </div>
        <div>
          <dt>{t('threadPage.bestAnswers')}</dt>
          <dd>{n(c.bestAnswers)}</dd>
        </div>
        <div>
          <dt>{t('threadPage.usefulReceived')}</dt>
          <dd>{n(c.appreciationsReceived)}</dd>
        </div>
      </dl>
    </section>
  );
}
