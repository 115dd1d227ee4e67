// Editing a post in place: the body for a reply; title, Vraag statement and Toelichting for the
// opening post. Author or moderator (the server's policy decides; the page only offers it to them).
import { useState } from 'react';
import type { Post, Thread } from '../../../../shared/schemas/forum';
import { RichTextField } from '../../components/RichTextField';
import { errorMessage, fieldErrors } from '../../components/ui';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { draftKey } from '../../lib/drafts';
import { useSession } from '../../lib/session';
import { HeldNotice, SensitiveDataHint, useSensitiveGuard } from '../SensitiveDataDialog';

export function EditPostForm({
  postId,
  body,
  opening,
  onSaved,
  onCancel,
}: {
  postId: string;
  body: string;
  /** The opening post: its thread's title, kind and statement are edited with it. */
  opening?: Pick<Thread, 'title' | 'kind' | 'question'>;
  onSaved(result: { post: Post; thread?: Thread }): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const { user } = useSession();
  const [html, setHtml] = useState(body);
  const [title, setTitle] = useState(opening?.title ?? '');
  const [question, setQuestion] = useState(opening?.question ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const guard = useSensitiveGuard();
  const id = `edit-${postId}`;
  const key = draftKey(user?.id ?? 'visitor', `edit.${postId}`);
  return (
    <form
      className="edit-post card"
      aria-labelledby={`${id}-title`}
      onSubmit={async (e) => {
        e.preventDefault();
        setSaving(true);
        setErrors({});
        setError(null);
        try {
          const changes = {
            body: html || body,
            ...(opening ? { title } : {}),
            ...(opening?.kind === 'question' ? { question } : {}),
          };
          // Client data in the new text: the same question as for a new post ("Aanpassen" / "Toch plaatsen").
          const res = await guard.send((confirmSensitive) =>
            api<{ post: Post; thread?: Thread }>(`/api/posts/${postId}`, { method: 'PATCH', body: { ...changes, ...(confirmSensitive ? { confirmSensitive } : {}) } }),
          );
          if (!res) return;
          localStorage.removeItem(key);
          onSaved(res);
        } catch (err) {
          const fields = fieldErrors(err, t);
          if (fields) setErrors(fields);
          else setError(errorMessage(err, t));
        } finally {
          setSaving(false);
        }
      }}
    >
      <h3 id={`${id}-title`}>{opening ? t('threadPage.editThreadTitle') : t('threadPage.editTitle')}</h3>
      {opening && (
        <div className={`field${errors.title ? ' field-invalid' : ''}`}>
          <label htmlFor={`${id}-heading`}>{t('newThread.titleLabel')}</label>
          <input id={`${id}-heading`} type="text" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} aria-invalid={!!errors.title} />
          {errors.title && <p className="field-error">{errors.title}</p>}
        </div>
      )}
      {opening?.kind === 'question' && (
        <div className={`field${errors.question ? ' field-invalid' : ''}`}>
          <label htmlFor={`${id}-question`}>{t('threadPage.question')}</label>
          <textarea id={`${id}-question`} maxLength={300} rows={2} value={question} onChange={(e) => setQuestion(e.target.value)} aria-invalid={!!errors.question} />
          {errors.question && <p className="field-error">{errors.question}</p>}
        </div>
      )}
      <RichTextField id={`${id}-body`} label={opening ? t('threadPage.toelichting') : t('threadPage.editTitle')} draftKey={key} initialValue={body} value={html} onChange={setHtml} resetKey={0} error={errors.body} />
      {opening && <SensitiveDataHint text={`${title}\n${question}`} />}
      <SensitiveDataHint html={html} />
      <HeldNotice held={guard.held} />
      {guard.dialog}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button" disabled={saving}>
        {saving ? t('threadPage.saving') : t('threadPage.save')}
      </button>{' '}
      <button
        type="button"
        className="button secondary"
        onClick={() => {
          localStorage.removeItem(key);
          onCancel();
        }}
      >
        {t('threadPage.cancel')}
      </button>
    </form>
  );
}
