// The opening post: for a question with a statement, "Vraag" with the statement as a quoted lead and a
// visible "Toelichting" heading above the body (as the Landelijk channel shows it); otherwise the body
// as before. Under it the best answer, and the opening post's own actions.
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { Post, Thread } from '../../../../shared/schemas/forum';
import { ActionError } from '../../components/ui';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { hasRole, useSession } from '../../lib/session';
import { useAction } from '../../lib/useAction';
import { AttachmentList } from '../attachments';
import { OpeningPostModeration } from '../moderation';
import { EditPostForm } from './EditPostForm';
import { EditHistory, UsefulButton } from './PostTools';

export function OpeningPost({
  thread,
  bestAnswerAuthor,
  onChangedPost,
  onChangedThread,
}: {
  thread: Thread;
  /** Who wrote the best answer, when the thread does not say (a live change) but the page has the reply. */
  bestAnswerAuthor?: string;
  onChangedPost(post: Post): void;
  onChangedThread(thread: Thread): void;
}) {
  const { t } = useI18n();
  const { user } = useSession();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const isMod = hasRole(user, 'moderator');
  const mayEdit = !!user && (user.id === thread.author.id || isMod);
  const lead = thread.kind === 'question' && thread.question;
  const remove = useAction(async () => {
    if (!window.confirm(t('threadPage.confirmDeleteThread'))) return;
    await api(`/api/posts/${thread.postId}`, { method: 'DELETE' });
    navigate(`/c/${thread.channelSlug}`);
  });
  const answer = thread.acceptedAnswer;
  const answerName = answer?.author?.displayName ?? bestAnswerAuthor;

  return (
    <section aria-labelledby={lead ? 'vraag' : 'toelichting'} className="toelichting" id={`post-${thread.postId}`} tabIndex={-1}>
      {lead && (
        <>
          <h2 id="vraag" className="lead-heading">
            {t('threadPage.question')}
          </h2>
          <blockquote className="question-lead">
            <p>{thread.question}</p>
          </blockquote>
        </>
      )}
      <h2 id="toelichting" className={lead ? 'lead-heading' : 'visually-hidden'}>
        {t('threadPage.toelichting')}
      </h2>
      {editing ? (
        <EditPostForm
          postId={thread.postId}
          body={thread.body}
          opening={thread}
          onCancel={() => setEditing(false)}
          onSaved={(res) => {
            setEditing(false);
            if (res.thread) onChangedThread(res.thread);
            else onChangedPost(res.post);
          }}
        />
      ) : (
        <>
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: post bodies are sanitized on the server (sanitize-html, server/content/sanitize.ts) */}
          <div className="post-body" dangerouslySetInnerHTML={{ __html: thread.body }} />
          <AttachmentList attachments={thread.attachments} />
        </>
      )}
      {answer && (
        <aside className="best-answer card" aria-labelledby="best-answer-title">
          <h3 id="best-answer-title">{answerName ? t('threadPage.bestAnswerBy', { name: answerName }) : t('threadPage.bestAnswer')}</h3>
          {answer.excerpt && <p>{answer.excerpt}</p>}
          <a href={`#post-${answer.postId}`}>{t('threadPage.viewBestAnswer')}</a>
        </aside>
      )}
      <div className="post-actions">
        <UsefulButton
          postId={thread.postId}
          count={thread.appreciationCount}
          mine={!!thread.myAppreciation}
          canMark={!!user && user.id !== thread.author.id && !thread.hidden}
          onChange={(appreciationCount, myAppreciation) => onChangedThread({ ...thread, appreciationCount, myAppreciation })}
        />{' '}
        {mayEdit && !editing && (
          <button type="button" className="link-button" onClick={() => setEditing(true)}>
            {t('threadPage.edit')}
          </button>
        )}{' '}
        {isMod && !editing && (
          <button type="button" className="link-button danger" onClick={() => void remove.run()}>
            {t('threadPage.delete')}
          </button>
        )}
        <ActionError error={remove.error} />
      </div>
      {thread.editedAt && <EditHistory postId={thread.postId} />}
      <OpeningPostModeration thread={thread} onChanged={onChangedPost} />
    </section>
  );
}
