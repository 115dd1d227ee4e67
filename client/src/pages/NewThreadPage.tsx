import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { Channel, Thread } from '../../../shared/schemas/forum';
import { RichTextField } from '../components/RichTextField';
import { ErrorState, Field, Loading, PageTitle, errorMessage, fieldErrors } from '../components/ui';
import { useI18n } from '../i18n';
import { api, newIdempotencyKey } from '../lib/api';
import { hasRole, useSession } from '../lib/session';
import { useAsync } from '../lib/useAsync';
import { threadPath } from './paths';
import { AttachmentPicker } from '../features/attachments';
import { SimilarQuestions } from '../features/search';
import type { Attachment } from '../../../shared/schemas/attachments';
import { draftKey as userDraftKey, readDraft, readDraftExtras, writeDraft, writeDraftExtras } from '../lib/drafts';
import { SensitiveDataHint, useSensitiveGuard } from '../features/SensitiveDataDialog';

/** A list title from the Vraag statement: its first sentence, at most about 120 characters, cut at a word. */
export function suggestTitle(question: string): string {
  const flat = question.replace(/\s+/g, ' ').trim();
  const sentence = /^(.+?[?.!])(\s|$)/.exec(flat)?.[1] ?? flat;
  if (sentence.length <= 120) return sentence;
  const cut = sentence.slice(0, 120);
  const space = cut.lastIndexOf(' ');
  return `${(space > 60 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export function NewThreadPage() {
  const { slug = '' } = useParams();
  const { t } = useI18n();
  const { user, loading } = useSession();
  const navigate = useNavigate();
  const draftKey = userDraftKey(user?.id ?? 'anonymous', `thread.${slug}`);
  const [title, setTitle] = useState('');
  // The title's draft is known once the user is: read it then (the body's field reads its own).
  useEffect(() => {
    if (user) setTitle(readDraft(`${draftKey}.title`));
  }, [draftKey, user]);
  const [body, setBody] = useState('');
  const [kind, setKind] = useState<'question' | 'discussion'>('question');
  // The Vraag statement; the title follows it until the writer types a title of their own.
  const [question, setQuestion] = useState('');
  const [titleTouched, setTitleTouched] = useState(false);
  useEffect(() => {
    if (user) {
      const kept = readDraft(`${draftKey}.question`);
      setQuestion(kept);
      if (readDraft(`${draftKey}.title`)) setTitleTouched(true);
    }
  }, [draftKey, user]);
  const [tags, setTags] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [key] = useState(newIdempotencyKey);
  const [attachmentIds, setAttachmentIds] = useState<string[]>([]);
  const guard = useSensitiveGuard();
  // Uploads are kept with the draft, as the reply form keeps them.
  const [keptAttachments, setKeptAttachments] = useState<Attachment[] | null>(null);
  useEffect(() => {
    if (user) setKeptAttachments(readDraftExtras(draftKey).attachments ?? []);
  }, [draftKey, user]);
  const [state, reload] = useAsync((signal) => api<{ channel: Channel }>(`/api/channels/${encodeURIComponent(slug)}`, { signal }), [slug]);

  if (state.status === 'loading' || loading) return <Loading />;
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={reload} />;
  const channel = state.data.channel;
  if (!user) {
    return (
      <p className="notice">
        <Link to={`/inloggen?terug=${encodeURIComponent(location.pathname)}`}>{t('thread.loginToReply')}</Link>
      </p>
    );
  }
  if (channel.postingPolicy === 'experts_ask' && !hasRole(user, 'expert')) return <p className="notice">{t('newThread.notAllowed')}</p>;

  return (
    <>
      <PageTitle>{t('newThread.title')}</PageTitle>
      <p className="lead">{channel.name}</p>
      <form
        className="card form"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          const local: Record<string, string> = {};
          if (!title.trim()) local.title = t('errors.field.required');
          if (!body) local.body = t('errors.field.required');
          setErrors(local);
          if (Object.keys(local).length) return;
          setSending(true);
          setFormError(null);
          try {
            const res = await guard.send((confirmSensitive) =>
              api<{ thread: Thread }>(`/api/channels/${encodeURIComponent(slug)}/threads`, {
                method: 'POST',
                headers: { 'Idempotency-Key': key },
                body: { title, body, kind, ...(kind === 'question' && question.trim() ? { question: question.trim() } : {}), tags: tags.split(',').map((s) => s.trim()).filter(Boolean), ...(attachmentIds.length ? { attachmentIds } : {}), ...(confirmSensitive ? { confirmSensitive } : {}) },
              }),
            );
            if (!res) return; // "Aanpassen": the writer edits first
            writeDraft(draftKey, '');
            writeDraft(`${draftKey}.title`, '');
            writeDraft(`${draftKey}.question`, '');
            writeDraftExtras(draftKey, {});
            navigate(threadPath(res.thread));
          } catch (err) {
            const fields = fieldErrors(err, t);
            if (fields) setErrors(fields);
            else setFormError(errorMessage(err, t));
          } finally {
            setSending(false);
          }
        }}
      >
        {formError && (
          <p className="form-error" role="alert">
            {formError}
          </p>
        )}
        <fieldset className="field">
          <legend>{t('newThread.kindLabel')}</legend>
          <label className="inline">
            <input type="radio" name="kind" value="question" checked={kind === 'question'} onChange={() => setKind('question')} /> {t('newThread.kindQuestion')}
          </label>
          <label className="inline">
            <input type="radio" name="kind" value="discussion" checked={kind === 'discussion'} onChange={() => setKind('discussion')} /> {t('newThread.kindDiscussion')}
          </label>
        </fieldset>
        {kind === 'question' && (
          <Field id="question" label={t('threadPage.questionLabel')} hint={t('threadPage.questionHint')} error={errors.question}>
            {(aria) => (
              <textarea
                {...aria}
                rows={2}
                maxLength={300}
                value={question}
                onChange={(e) => {
                  setQuestion(e.target.value);
                  writeDraft(`${draftKey}.question`, e.target.value);
                  if (!titleTouched) setTitle(suggestTitle(e.target.value));
                }}
              />
            )}
          </Field>
        )}
        <Field id="title" label={t('newThread.titleLabel')} hint={t('newThread.titleHint')} error={errors.title}>
          {(aria) => (
            <input
              {...aria}
              type="text"
              maxLength={200}
              value={title}
              onChange={(e) => {
                setTitle(e.target.value);
                setTitleTouched(e.target.value !== '');
                writeDraft(`${draftKey}.title`, e.target.value);
              }}
            />
          )}
        </Field>
        <SensitiveDataHint text={`${question}\n${title}`} />
        <SimilarQuestions title={title} />
        <RichTextField key={draftKey} id="body" label={kind === 'question' ? t('threadPage.toelichting') : t('newThread.bodyLabel')} draftKey={draftKey} value={body} onChange={setBody} resetKey={0} error={errors.body} />
        {keptAttachments && (
          <AttachmentPicker initial={keptAttachments} onChange={setAttachmentIds} onAttachments={(list) => writeDraftExtras(draftKey, { attachments: list })} />
        )}
        <Field id="tags" label={t('newThread.tagsLabel')} hint={t('newThread.tagsHint')} error={errors.tags}>
          {(aria) => <input {...aria} type="text" value={tags} onChange={(e) => setTags(e.target.value)} />}
        </Field>
        {guard.dialog}
        <button type="submit" className="button" disabled={sending}>
          {sending ? t('thread.sending') : t('newThread.submit')}
        </button>
      </form>
    </>
  );
}
