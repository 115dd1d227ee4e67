import { useCallback, useEffect, useRef, useState } from 'react';

export type AsyncState<T> = { status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; data: T };

/**
 * Loads data for a page; `reload` fetches again (e.g. after a replay gap). While `enabled` is false
 * it stays loading and fetches nothing (a page whose answer depends on who reads waits for the session).
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], enabled = true): [AsyncState<T>, () => void, (update: (data: T) => T) => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const [version, setVersion] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    setState((s) => (s.status === 'ready' && version > 0 ? s : { status: 'loading' }));
    loadRef
      .current(controller.signal)
      .then((data) => !controller.signal.aborted && setState({ status: 'ready', data }))
      .catch((error) => !controller.signal.aborted && setState({ status: 'error', error }));
    return () => controller.abort();
  }, [...deps, version, enabled]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const update = useCallback((fn: (data: T) => T) => setState((s) => (s.status === 'ready' ? { status: 'ready', data: fn(s.data) } : s)), []);
  return [state, reload, update];
}
