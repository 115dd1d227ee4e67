// /t/:id#post-:postId opens the thread at that post: on a later page too (the next pages are fetched
// by keyset until it is there), scrolled to, highlighted and focused for screen readers. A post
// that is not in the thread (deleted, unknown) → the page says so (the 404 page).
import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'react-router-dom';
import type { ThreadData } from './model';

const targetOf = (hash: string): string | null => /^#post-([1-9][0-9]{0,18})$/.exec(hash)?.[1] ?? null;

export function usePermalink(data: ThreadData | null, loadMore: (cursor: string) => Promise<void>): { highlighted: string | null; missing: boolean } {
  const [target, setTarget] = useState(() => targetOf(location.hash));
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const loading = useRef(false);
  const done = useRef<string | null>(null);
  const { hash } = useLocation();
  const threadId = data?.thread.id;

  // A link within the app (a notification, another thread) changes the address without a hashchange.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the thread id counts as a new arrival too
  useEffect(() => {
    done.current = null;
    setMissing(false);
    setTarget(targetOf(hash));
  }, [hash, threadId]);

  useEffect(() => {
    const onHash = () => {
      done.current = null;
      setTarget(targetOf(location.hash));
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    if (!data || !target || done.current === target) return;
    const present = data.thread.postId === target || data.replies.some((p) => p.id === target);
    if (present) {
      done.current = target;
      // After React has painted the post.
      requestAnimationFrame(() => {
        const el = document.getElementById(`post-${target}`);
        if (!el) return;
        el.scrollIntoView({ block: 'start' });
        el.focus({ preventScroll: true });
        setHighlighted(target);
      });
      return;
    }
    if (data.nextCursor && !loading.current) {
      loading.current = true;
      void loadMore(data.nextCursor).finally(() => {
        loading.current = false;
      });
      return;
    }
    if (!data.nextCursor) {
      done.current = target;
      setMissing(true);
    }
  }, [data, target, loadMore]);

  return { highlighted, missing };
}
