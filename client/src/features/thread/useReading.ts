// Unread replies for a signed-in reader: where they were before this visit (the divider "Nieuw sinds
// je laatste bezoek" and "Ga naar eerste ongelezen"), and telling the server how far they have read.
import { useEffect, useRef } from 'react';
import { api } from '../../lib/api';
import { compareIds, type ThreadData } from './model';

export function useReading(data: ThreadData | null, signedIn: boolean): { firstUnreadId: string | null } {
  const sent = useRef<string | null>(null);
  const lastRead = data?.reading?.lastReadPostId ?? null;
  const firstUnreadId = lastRead && data ? (data.replies.find((p) => compareIds(p.id, lastRead) > 0)?.id ?? null) : null;
  const newest = data ? [data.thread.postId, ...data.replies.map((p) => p.id)].sort(compareIds).pop()! : null;
  const threadId = data?.thread.id;

  useEffect(() => {
    if (!signedIn || !threadId || !newest) return;
    if (sent.current && compareIds(newest, sent.current) <= 0) return;
    sent.current = newest;
    void api(`/api/threads/${threadId}/read`, { method: 'PUT', body: { postId: newest } }).catch(() => {
      sent.current = null;
    });
  }, [signedIn, threadId, newest]);

  return { firstUnreadId };
}
