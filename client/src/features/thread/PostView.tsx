// One reply on the thread page: author, time ("bewerkt" with its time), the quoted post (or "Dit
// bericht is verwijderd"), the body and handouts, and its actions.
import { useState } from 'react';
import type { Post, Thread } from '../../../../shared/schemas/forum';
import { ActionError } from '../../components/ui';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { formatDate, formatDateTime, formatRelative } from '../../lib/dates';
import { hasRole, useSession } from '../../lib/session';
import { useAction } from '../../lib/useAction';
import { AttachmentList } from '../attachments';
import { PostActions } from '../moderation';
import { AuthorCard } from './AuthorCard';
import { EditPostForm } from './EditPostForm';
import { postUrl } from './model';
import { CopyLinkButton, EditHistory, UsefulButton } from './PostTools';

/** "bewerkt 3 december 2026 om 10:12": when a post was last edited. */
export function EditedNote({ editedAt }: { editedAt: string | null }) {
  const { t, locale } = useI18n();
  if (!editedAt) return null;
  return (
    <span>
      {' · '}
      <time dateTime={editedAt} className="edited">
        {t('threadPage.editedAt', { when: formatDateTime(editedAt, locale) })}
      </time>
    </span>
  );
}

export interface PostViewProps {
  post: Post;
  thread: Pick<Thread, 'id' | 'kind' | 'author' | 'postId' | 'acceptedAnswer' | 'locked'>;
  threadPath: string;
  /** The quoted post when it is on the page; absent with a quotePostId: it was deleted. */
  quoted?: Post | { opening: true; author: Post['author']; body: string };
  /** Shown above this reply: the first one the reader has not seen yet. */
  firstUnread?: boolean;
  highlighted?: boolean;
  onQuote?: () => void;
  onChanged(post: Post): void;
  onDeleted(postId: string): void;
  onAccepted(thread: Thread): void;
}

export function PostView({ post, thread, threadPath, quoted, firstUnread, highlighted, onQuote, onChanged, onDeleted, onAccepted }: PostViewProps) {
  const { t, locale } = useI18n();
  const { user } = useSession();
  const [editing, setEditing] = useState(false);
  const isMod = hasRole(user, 'moderator');
  const mayEdit = !!user && (user.id === post.author.id || isMod);
  const mayAccept = !!user && thread.kind === 'question' && (user.id === thread.author.id || hasRole(user, 'expert'));
  const accepted = thread.acceptedAnswer?.postId === post.id;
  const remove = useAction(async () => {
    if (!window.confirm(t('threadPage.confirmDelete'))) return;
    await api(`/api/posts/${post.id}`, { method: 'DELETE' });
    onDeleted(post.id);
  });
  const accept = useAction(async () => {
    const res = accepted
      ? await api<{ thread: Thread }>(`/api/threads/${thread.id}/accepted-answer`, { method: 'DELETE' })
      : await api<{ thread: Thread }>(`/api/threads/${thread.id}/accepted-answer`, { method: 'POST', body: { postId: post.id } });
    onAccepted(res.thread);
  });

  return (
    <>
      {firstUnread && (
        <p className="unread-divider" id="first-unread">
          <span>{t('threadPage.newSinceLastVisit')}</span>
        </p>
      )}
      <article
        className={`post${post.hidden ? ' post-hidden' : ''}${accepted ? ' post-accepted' : ''}${highlighted ? ' post-target' : ''}`}
        id={`post-${post.id}`}
        tabIndex={-1}
        aria-labelledby={`post-${post.id}-author`}
      >
        <header className="post-head" id={`post-${post.id}-author`}>
          <AuthorCard author={post.author} />
          <p className="meta">
            <time dateTime={post.createdAt} title={formatDate(post.createdAt, locale)}>
              {formatRelative(post.createdAt, locale)}
            </time>
            <EditedNote editedAt={post.editedAt} />
          </p>
        </header>
        {accepted && <p className="badge accepted-badge">{t('threadPage.bestAnswerBadge')}</p>}
        {post.hidden && (
          <p className="notice hidden-notice">
            {t('thread.hidden')}
            {post.hiddenReason ? ` — ${t('thread.hiddenReason', { reason: post.hiddenReason })}` : ''}
          </p>
        )}
        {post.quotePostId &&
          (quoted ? (
            <blockquote className="quoted">
              <p className="meta">{t('thread.inReplyTo', { name: quoted.author.displayName })}</p>
              {/* biome-ignore lint/security/noDangerouslySetInnerHtml: post bodies are sanitized on the server (sanitize-html, server/content/sanitize.ts) */}
              <div dangerouslySetInnerHTML={{ __html: quoted.body }} />
            </blockquote>
          ) : (
            <blockquote className="quoted quoted-deleted">
              <p>{t('threadPage.deleted')}</p>
            </blockquote>
          ))}
        {editing ? (
          <EditPostForm
            postId={post.id}
            body={post.body}
            onCancel={() => setEditing(false)}
            onSaved={(res) => {
              setEditing(false);
              onChanged(res.post);
              document.getElementById(`post-${post.id}`)?.focus();
            }}
          />
        ) : (
          <>
            {/* biome-ignore lint/security/noDangerouslySetInnerHtml: post bodies are sanitized on the server (sanitize-html, server/content/sanitize.ts) */}
            {post.body && <div className="post-body" dangerouslySetInnerHTML={{ __html: post.body }} />}
            <AttachmentList attachments={post.attachments} />
          </>
        )}
        <div className="post-actions">
          <UsefulButton
            postId={post.id}
            count={post.appreciationCount}
            mine={!!post.myAppreciation}
            canMark={!!user && user.id !== post.author.id && !post.hidden}
            onChange={(appreciationCount, myAppreciation) => onChanged({ ...post, appreciationCount, myAppreciation })}
          />{' '}
          {onQuote && !post.hidden && (
            <button type="button" className="link-button" onClick={onQuote}>
              {t('thread.quote')}
            </button>
          )}{' '}
          <CopyLinkButton url={postUrl(threadPath, post.id)} />{' '}
          {mayAccept && !post.hidden && (
            <button type="button" className="link-button" onClick={() => void accept.run()}>
              {accepted ? t('threadPage.unmarkBestAnswer') : t('threadPage.markBestAnswer')}
            </button>
          )}{' '}
          {mayEdit && !editing && (
            <>
              <button type="button" className="link-button" onClick={() => setEditing(true)}>
                {t('threadPage.edit')}
              </button>{' '}
              <button type="button" className="link-button danger" onClick={() => void remove.run()}>
                {t('threadPage.delete')}
              </button>{' '}
            </>
          )}
          <PostActions post={post} onChanged={onChanged} />
          <ActionError error={remove.error ?? accept.error} />
        </div>
        {post.editedAt && <EditHistory postId={post.id} />}
      </article>
    </>
  );
}
