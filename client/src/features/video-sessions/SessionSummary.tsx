import { useState } from 'react';
import type { VideoSession } from '../../../../shared/schemas/video-sessions';
import { errorMessage } from '../../components/ui';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { useSensitiveGuard } from '../SensitiveDataDialog';

/**
 * After the session: the summary and recording link (posted as the organiser's reply), or a form for
 * the organiser and moderators to add them. The guardrail applies as to any reply.
 */
export function SessionSummary({ session: s, mayManage, onSaved }: { session: VideoSession; mayManage: boolean; onSaved(v: VideoSession): void }) {
  const { t } = useI18n();
  const [summary, setSummary] = useState('');
  const [recordingUrl, setRecordingUrl] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const guard = useSensitiveGuard();
  if (s.status !== 'ended') return null;
  if (s.summaryPostId) {
    return (
      <p>
        <a href={`#post-${s.summaryPostId}`}>{t('sessionFlow.readSummary')}</a>
        {s.recordingUrl && (
          <>
            {' · '}
            <a href={s.recordingUrl} rel="noopener noreferrer" target="_blank">
              {t('sessionFlow.watchRecording')}
            </a>
          </>
        )}
      </p>
    );
  }
  if (!mayManage) return null;
  return (
    <form
      className="summary-form"
      aria-labelledby="summary-title"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!summary.trim()) return setError(t('errors.field.required'));
        setError(null);
        setSending(true);
        try {
          const res = await guard.send((confirmSensitive) =>
            api<{ videoSession: VideoSession }>(`/api/video-sessions/${s.id}/summary`, {
              method: 'POST',
              body: { summary, ...(recordingUrl.trim() ? { recordingUrl: recordingUrl.trim() } : {}), ...(confirmSensitive ? { confirmSensitive } : {}) },
            }),
          );
          if (res) onSaved(res.videoSession);
        } catch (err) {
          setError(errorMessage(err, t));
        } finally {
          setSending(false);
        }
      }}
    >
      <h3 id="summary-title">{t('sessionFlow.summaryTitle')}</h3>
      <p className="hint">{t('sessionFlow.summaryHint')}</p>
      <div className="field">
        <label htmlFor={`summary-${s.id}`}>{t('sessionFlow.summaryLabel')}</label>
        <textarea id={`summary-${s.id}`} value={summary} maxLength={20000} onChange={(e) => setSummary(e.target.value)} aria-invalid={error ? true : undefined} />
      </div>
      <div className="field">
        <label htmlFor={`recording-${s.id}`}>{t('sessionFlow.recordingLabel')}</label>
        <input id={`recording-${s.id}`} type="url" value={recordingUrl} onChange={(e) => setRecordingUrl(e.target.value)} />
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
      {guard.dialog}
      <div>
        <button type="submit" className="button" disabled={sending}>
          {t('sessionFlow.summarySubmit')}
        </button>
      </div>
    </form>
  );
}
