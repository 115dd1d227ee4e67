import { useCallback, useRef, useState } from 'react';
import { errorMessage } from '../components/ui';
import { useI18n } from '../i18n';

export interface Action<A extends unknown[]> {
  /** Runs the request; a failure is kept as `error` (never an unhandled rejection). */
  run(...args: A): Promise<void>;
  busy: boolean;
  /** The usual error text (errorMessage) of the last failed try; cleared when the next try starts. */
  error: string | null;
}

/**
 * A control's request (follow, save, load more…): busy while it runs, and when it fails the usual error
 * text to show next to the control, which stays usable so the user can try again. A click while the
 * request runs is ignored (rather than disabling the control, which would drop a keyboard user's focus).
 */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): Action<A> {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = useRef(false);
  const latest = useRef(fn);
  latest.current = fn;
  const run = useCallback(
    async (...args: A) => {
      if (running.current) return;
      running.current = true;
      setBusy(true);
      setError(null);
      try {
        await latest.current(...args);
      } catch (err) {
        setError(errorMessage(err, t));
      } finally {
        running.current = false;
        setBusy(false);
      }
    },
    [t],
  );
  return { run, busy, error };
}
