// Writing a reply. The draft keeps its text, its quote and its uploads in this browser, per user
// (lib/drafts), so a reload or a crash loses nothing.
import { useEffect, useRef, useState } from 'react';
import type { Attachment } from '../../../../shared/schemas/attachments';
import type { Post } from '../../../../shared/schemas/forum';
import { RichTextField } from '../../components/RichTextField';
import { errorMessage } from '../../components/ui';
import { useI18n } from '../../i18n';
import { ApiError, api, newIdempotencyKey } from '../../lib/api';
import { draftKey as userDraftKey, readDraftExtras, writeDraft, writeDraftExtras } from '../../lib/drafts';
import { AttachmentPicker } from '../attachments';
import { HeldNotice, useSensitiveGuard } from '../SensitiveDataDialog';

/** Lets the page's "Citeer" buttons reach the form. */
export const quoteRef: { current: ((postId: string) => void) | null } = { current: null };

export function ReplyForm({ threadId, userId, replies, onPosted }: { threadId: string; userId: string; replies: Post[]; onPosted(post: Post): void }) {
  const { t } = useI18n();
  const draftKey = userDraftKey(userId, `reply.${threadId}`);
  const [kept] = useState(() => readDraftExtras(draftKey));
  const [body, setBody] = useState('');
  const [quotePostId, setQuotePostId] = useState<string | null>(kept.quotePostId ?? null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [resetKey, setResetKey] = useState(0);
  const [attachmentIds, setAttachmentIds] = useState<string[]>([]);
  const [attachments, setAttachments] = useState<Attachment[]>(kept.attachments ?? []);
  // One key per reply being written: a retry after a timeout cannot post it twice.
  const attemptKey = useRef(newIdempotencyKey());
  quoteRef.current = (postId) => {
    setQuotePostId(postId);
    document.getElementById('reply-editor')?.focus();
  };
  useEffect(() => writeDraftExtras(draftKey, { quotePostId, attachments }), [draftKey, quotePostId, attachments]);
  const quoted = quotePostId ? replies.find((p) => p.id === quotePostId) : undefined;
  const guard = useSensitiveGuard();

  return (
    <form
      className="reply-form card"
      aria-labelledby="reply-title"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!body) {
          setError(t('errors.field.required'));
          return;
        }
        setSending(true);
        setError(null);
        try {
          const res = await guard.send((confirmSensitive) =>
            api<{ post: Post }>(`/api/threads/${threadId}/replies`, {
              method: 'POST',
              body: { body, ...(quoted ? { quotePostId: quoted.id } : {}), ...(attachmentIds.length ? { attachmentIds } : {}), ...(confirmSensitive ? { confirmSensitive } : {}) },
              headers: { 'Idempotency-Key': attemptKey.current },
            }),
          );
          if (!res) return; // "Aanpassen": the writer edits first
          onPosted(res.post);
          writeDraft(draftKey, '');
          writeDraftExtras(draftKey, {});
          setBody('');
          setQuotePostId(null);
          setAttachments([]);
          setResetKey((k) => k + 1);
          attemptKey.current = newIdempotencyKey();
        } catch (err) {
          setError(err instanceof ApiError && err.status !== 0 && err.code !== 'rate_limited' && !err.fields.body ? errorMessage(err, t) : `${t('thread.postFailed')} ${errorMessage(err, t)}`);
        } finally {
          setSending(false);
        }
      }}
    >
      <h2 id="reply-title">{t('thread.yourReply')}</h2>
      {quoted && (
        <div className="notice quoting">
          <p>
            {t('thread.quoting')}{' '}
            <button type="button" className="link-button" onClick={() => setQuotePostId(null)}>
              {t('thread.cancelQuote')}
            </button>
          </p>
          <blockquote className="quoted">
            <p className="meta">{t('thread.inReplyTo', { name: quoted.author.displayName })}</p>
            {/* biome-ignore lint/security/noDangerouslySetInnerHtml: post bodies are sanitized on the server (sanitize-html, server/content/sanitize.ts) */}
            <div dangerouslySetInnerHTML={{ __html: quoted.body }} />
          </blockquote>
        </div>
      )}
      <RichTextField id="reply-editor" label={t('thread.yourReply')} draftKey={draftKey} value={body} onChange={setBody} resetKey={resetKey} error={error ?? undefined} hideLabel />
      <AttachmentPicker key={resetKey} initial={resetKey === 0 ? kept.attachments : undefined} onChange={setAttachmentIds} onAttachments={setAttachments} />
      <HeldNotice held={guard.held} />
      {guard.dialog}
      <button type="submit" className="button" disabled={sending}>
        {sending ? t('thread.sending') : t('thread.send')}
      </button>
    </form>
  );
}
