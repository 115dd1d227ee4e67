// Beheer → Gebruikers: find accounts by name or e-mail; role, verified, two-factor, suspension; act on them.
import { useState } from 'react';
import type { AdminUser, Role } from '../../../../shared/schemas/accounts';
import { ActionError, AsyncView, Empty } from '../../components/ui';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/dates';
import { useAction } from '../../lib/useAction';
import { useAsync } from '../../lib/useAsync';

type Page = { items: AdminUser[]; nextCursor: string | null };
const ROLES: Role[] = ['member', 'expert', 'moderator', 'admin'];

export function AdminUsers() {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [q, setQ] = useState('');
  const [state, reload, update] = useAsync<Page>((signal) => api<Page>(`/api/admin/users?${new URLSearchParams(q ? { q } : {})}`, { signal }), [q]);
  const more = useAction(async (cursor: string) => {
    const next = await api<Page>(`/api/admin/users?${new URLSearchParams({ ...(q ? { q } : {}), cursor })}`);
    update((page) => ({ items: [...page.items, ...next.items], nextCursor: next.nextCursor }));
  });
  return (
    <section aria-labelledby="admin-users-title">
      <h2 id="admin-users-title">{t('admin.usersTab')}</h2>
      <form
        role="search"
        className="admin-search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(query.trim());
        }}
      >
        <label htmlFor="admin-user-search">{t('admin.search')}</label>
        <input id="admin-user-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit" className="button secondary">
          {t('admin.searchButton')}
        </button>
      </form>
      <AsyncView state={state} onRetry={reload}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>{t('admin.noUsers')}</Empty>
          ) : (
            <>
              <ul className="card-list admin-users">
                {page.items.map((u) => (
                  <UserRow key={u.id} user={u} onChange={(next) => update((p) => ({ ...p, items: p.items.map((x) => (x.id === next.id ? next : x)) }))} />
                ))}
              </ul>
              {page.nextCursor && (
                <button type="button" className="button secondary" onClick={() => void more.run(page.nextCursor!)}>
                  {t('admin.loadMore')}
                </button>
              )}
              <ActionError error={more.error} />
            </>
          )
        }
      </AsyncView>
    </section>
  );
}

function UserRow({ user, onChange }: { user: AdminUser; onChange(user: AdminUser): void }) {
  const { t, locale } = useI18n();
  const [role, setRole] = useState<Role>(user.role);
  const [suspending, setSuspending] = useState(false);
  const [days, setDays] = useState('7');
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const act = useAction(async (what: string, work: () => Promise<Partial<AdminUser> | null>) => {
    setDone(null);
    const changes = await work();
    if (changes) onChange({ ...user, ...changes });
    setDone(t('admin.done', { what }));
  });
  const id = `user-${user.id}`;
  return (
    <li className="card" aria-labelledby={`${id}-name`}>
      <h3 id={`${id}-name`}>{user.displayName}</h3>
      <p>
        <span className="visually-hidden">{t('admin.email')}: </span>
        {user.email}
      </p>
      <p className="admin-status">
        <span className="badge">{t(`profile.role.${user.role}`)}</span> <span className="badge">{user.emailVerified ? t('admin.verified') : t('admin.unverified')}</span>{' '}
        <span className="badge">{user.twoFactorEnabled ? t('admin.twoFactorOn') : t('admin.twoFactorOff')}</span>{' '}
        {user.suspension && <span className="badge">{t('admin.suspendedUntil', { until: formatDateTime(user.suspension.until, locale) })}</span>}
      </p>
      <div className="admin-actions">
        <label htmlFor={`${id}-role`}>{t('admin.changeRole', { name: user.displayName })}</label>
        <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`profile.role.${r}`)}
            </option>
          ))}
        </select>
        <button type="button" className="button secondary small" onClick={() => void act.run(t('admin.saveRole'), async () => ({ role: (await api<{ user: { role: Role } }>(`/api/admin/users/${user.id}/role`, { method: 'PUT', body: { role } })).user.role }))}>
          {t('admin.saveRole')}
        </button>
        {user.suspension ? (
          <button type="button" className="button secondary small" onClick={() => void act.run(t('admin.lift'), async () => {
                await api(`/api/mod/users/${user.id}/unsuspend`, { method: 'POST', body: {} });
                return { suspension: null };
              })}>
            {t('admin.lift')}
          </button>
        ) : (
          <button type="button" className="button secondary small" aria-expanded={suspending} onClick={() => setSuspending((v) => !v)}>
            {t('admin.suspend')}
          </button>
        )}
        {user.twoFactorEnabled && (
          <button type="button" className="button secondary small" onClick={() => void act.run(t('admin.reset2fa'), async () => {
                await api(`/api/admin/users/${user.id}/2fa`, { method: 'DELETE', body: {} });
                return { twoFactorEnabled: false };
              })}>
            {t('admin.reset2fa')}
          </button>
        )}
        {!user.emailVerified && (
          <button type="button" className="button secondary small" onClick={() => void act.run(t('admin.resendVerification'), async () => {
                await api(`/api/admin/users/${user.id}/verification`, { method: 'POST', body: {} });
                return null;
              })}>
            {t('admin.resendVerification')}
          </button>
        )}
      </div>
      {suspending && !user.suspension && (
        <form
          className="admin-suspend"
          onSubmit={(e) => {
            e.preventDefault();
            const until = new Date(Date.now() + Math.max(1, Number(days) || 1) * 86400_000).toISOString();
            void act.run(t('admin.suspend'), async () => {
              const res = await api<{ user: { suspendedUntil: string | null; suspensionReason: string | null } }>(`/api/mod/users/${user.id}/suspend`, { method: 'POST', body: { until, reason: reason.trim() } });
              setSuspending(false);
              return { suspension: res.user.suspendedUntil ? { until: res.user.suspendedUntil, reason: res.user.suspensionReason ?? '' } : null };
            });
          }}
        >
          <label htmlFor={`${id}-days`}>{t('admin.suspendDays')}</label>
          <input id={`${id}-days`} type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} />
          <label htmlFor={`${id}-reason`}>{t('admin.suspendReason')}</label>
          <input id={`${id}-reason`} type="text" required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
          <button type="submit" className="button small">
            {t('admin.suspend')}
          </button>
        </form>
      )}
      <p role="status" className="hint">
        {done}
      </p>
      <ActionError error={act.error} />
    </li>
  );
}
