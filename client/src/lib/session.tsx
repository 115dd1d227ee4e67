import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { User } from '../../../shared/schemas/accounts';
import { ApiError, api } from './api';
import { clearAllDrafts, dropUnownedDrafts } from './drafts';
import { reconnect } from './realtime';

interface Session {
  user: User | null;
  loading: boolean;
  setUser(user: User | null): void;
  logout(): Promise<void>;
  refresh(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  useEffect(dropUnownedDrafts, []);
  const [loading, setLoading] = useState(true);

  const refresh = useCallback(async () => {
    try {
      const res = await api<{ user: User }>('/api/me');
      setUser(res.user);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setUser(null);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // The socket authenticates with the session cookie at connect: a new socket when someone logs in
  // or out, not when their profile changes.
  const knownId = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (loading) return;
    const id = user?.id ?? null;
    if (knownId.current !== undefined && knownId.current !== id) reconnect();
    knownId.current = id;
  }, [user?.id, loading]);

  const logout = useCallback(async () => {
    // A session from an organisation's login also ends there (RP-initiated logout) when it offers that.
    const ended = await api<{ redirectTo: string | null }>('/api/auth/oidc/logout', { method: 'POST' }).catch(() => null);
    clearAllDrafts();
    setUser(null);
    if (ended?.redirectTo) window.location.assign(ended.redirectTo);
  }, []);

  return <SessionContext.Provider value={{ user, loading, setUser, logout, refresh }}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}

const RANK = { member: 0, expert: 1, moderator: 2, admin: 3 } as const;
/** As the server's policy: a role that must use two-step verification acts as a member until it is set up. */
export const hasRole = (user: User | null, role: keyof typeof RANK) => !!user && RANK[user.twoFactorRequired ? 'member' : user.role] >= RANK[role];
