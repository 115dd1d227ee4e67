import { type FormEvent, useState } from 'react';
import type { Synonym } from '../../../../shared/schemas/search';
import { AsyncView, Field, PageTitle, errorMessage } from '../../components/ui';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { hasRole, useSession } from '../../lib/session';
import { useAsync } from '../../lib/useAsync';

/**
 * The synonym and abbreviation list for search, on the Beheer page (route /beheer/synoniemen): the
 * repository's groups (read-only here) and admins' own, which can be added and removed.
 */
export function Synonyms({ asPage = false }: { asPage?: boolean }) {
  const { t } = useI18n();
  const { user } = useSession();
  const [state, reload] = useAsync((signal) => api<{ items: Synonym[] }>('/api/admin/synonyms', { signal }), []);
  const [terms, setTerms] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const heading = t('knowledgeSearch.synonymsTitle');
  if (!hasRole(user, 'admin')) return <p>{t('knowledgeSearch.synonymsOnlyAdmins')}</p>;

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const list = [...new Set(terms.split(',').map((s) => s.trim()).filter(Boolean))];
    if (list.length < 2) {
      setError(t('knowledgeSearch.synonymsNeedTwo'));
      document.getElementById('synonym-terms')?.focus();
      return;
    }
    setBusy(true);
    try {
      await api('/api/admin/synonyms', { method: 'POST', body: { terms: list } });
      setTerms('');
      setError(null);
      setStatus(t('knowledgeSearch.synonymsAdded'));
      reload();
    } catch (err) {
      setError(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (s: Synonym) => {
    try {
      await api(`/api/admin/synonyms/${s.id}`, { method: 'DELETE' });
      setStatus(t('knowledgeSearch.synonymsRemoved'));
      reload();
    } catch (err) {
      setStatus(errorMessage(err, t));
    }
  };

  return (
    <section aria-labelledby={asPage ? undefined : 'synonyms-title'}>
      {asPage ? <PageTitle>{heading}</PageTitle> : <h2 id="synonyms-title">{heading}</h2>}
      <p>{t('knowledgeSearch.synonymsIntro')}</p>
      <form className="card" onSubmit={add} noValidate>
        <Field id="synonym-terms" label={t('knowledgeSearch.synonymsTerms')} hint={t('knowledgeSearch.synonymsTermsHint')} error={error ?? undefined}>
          {(aria) => <input {...aria} type="text" value={terms} maxLength={600} onChange={(e) => setTerms(e.target.value)} />}
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {t('knowledgeSearch.synonymsAdd')}
        </button>
      </form>
      <p role="status" aria-live="polite">
        {status}
      </p>
      <AsyncView state={state} onRetry={reload}>
        {({ items }) => (
          <>
            <p>{t('knowledgeSearch.synonymsCount', { count: items.length })}</p>
            <table className="synonyms">
              <thead>
                <tr>
                  <th scope="col">{t('knowledgeSearch.synonymsTerms')}</th>
                  <th scope="col">{t('knowledgeSearch.synonymsSource')}</th>
                  <td />
                </tr>
              </thead>
              <tbody>
                {items.map((s) => (
                  <tr key={s.id}>
                    <td>{s.terms.join(' · ')}</td>
                    <td>{s.source === 'repo' ? t('knowledgeSearch.synonymsFromRepo') : t('knowledgeSearch.synonymsFromAdmin')}</td>
                    <td>
                      {s.source === 'admin' && (
                        <button type="button" className="button small secondary" onClick={() => void remove(s)}>
                          {t('knowledgeSearch.synonymsRemove', { terms: s.terms.join(', ') })}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </AsyncView>
    </section>
  );
}

