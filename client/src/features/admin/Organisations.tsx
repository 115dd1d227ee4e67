// Beheer → Organisaties: admins keep verified organisations (name and e-mail domains). People with a
// confirmed address in a domain get the organisation with the "geverifieerd" mark.
import type { Static } from '@sinclair/typebox';
import { useState } from 'react';
import type { Organisation } from '../../../../shared/schemas/organisations';
import { AsyncView, Field, fieldErrors } from '../../components/ui';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { useAsync } from '../../lib/useAsync';
import { orgErrorMessage } from '../organisations';

type Org = Static<typeof Organisation>;
const splitDomains = (text: string) => text.split(/[\s,;]+/).map((d) => d.trim()).filter(Boolean);

/** The organisations list with add, edit and remove; mountable in the Beheer tabs. */
export function Organisations() {
  const { t } = useI18n();
  const [state, reload, update] = useAsync((signal) => api<{ items: Org[] }>('/api/admin/organisations', { signal }), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const remove = async (org: Org) => {
    if (!window.confirm(t('organisations.removeConfirm', { name: org.name }))) return;
    try {
      await api(`/api/admin/organisations/${org.id}`, { method: 'DELETE' });
      update((data) => ({ items: data.items.filter((o) => o.id !== org.id) }));
    } catch (err) {
      setMessage(orgErrorMessage(err, t));
    }
  };
  return (
    <section aria-labelledby="organisations-title">
      <h2 id="organisations-title">{t('organisations.adminTitle')}</h2>
      <p>{t('organisations.adminIntro')}</p>
      <p role="status">{message}</p>
      <AsyncView state={state} onRetry={reload}>
        {(data) =>
          data.items.length === 0 ? (
            <p>{t('organisations.none')}</p>
          ) : (
            <ul className="card-list">
              {data.items.map((org) =>
                editing === org.id ? (
                  <li key={org.id} className="card">
                    <OrganisationForm
                      org={org}
                      onSaved={(saved) => {
                        update((d) => ({ items: d.items.map((o) => (o.id === saved.id ? saved : o)) }));
                        setEditing(null);
                        setMessage(t('organisations.saved'));
                      }}
                      onCancel={() => setEditing(null)}
                    />
                  </li>
                ) : (
                  <li key={org.id} className="card organisation">
                    {org.logoUrl && <img src={org.logoUrl} alt={t('organisations.logoAlt', { name: org.name })} height={48} className="organisation-logo" />}
                    <h3>{org.name}</h3>
                    <p className="meta">
                      {org.domains.join(', ')} · {t('organisations.members', { count: org.memberCount })}
                    </p>
                    <button type="button" className="button secondary" onClick={() => setEditing(org.id)}>
                      {t('organisations.edit')} <span className="visually-hidden">{org.name}</span>
                    </button>{' '}
                    <button type="button" className="button secondary" onClick={() => void remove(org)}>
                      {t('organisations.remove')} <span className="visually-hidden">{org.name}</span>
                    </button>
                    <div className="field">
                      <label htmlFor={`org-${org.id}-logo`}>{t('organisations.logoUpload', { name: org.name })}</label>
                      <input
                        id={`org-${org.id}-logo`}
                        type="file"
                        accept="image/png,image/jpeg,image/webp"
                        onChange={async (e) => {
                          const file = e.target.files?.[0];
                          if (!file) return;
                          const form = new FormData();
                          form.append('file', file);
                          try {
                            const res = await api<{ logoUrl: string }>(`/api/admin/organisations/${org.id}/logo`, { method: 'PUT', body: form });
                            update((d) => ({ items: d.items.map((o) => (o.id === org.id ? { ...o, logoUrl: res.logoUrl } : o)) }));
                            setMessage(t('organisations.saved'));
                          } catch (err) {
                            setMessage(orgErrorMessage(err, t));
                          }
                        }}
                      />
                    </div>
                  </li>
                ),
              )}
            </ul>
          )
        }
      </AsyncView>
      <h3>{t('organisations.add')}</h3>
      <OrganisationForm
        onSaved={(saved) => {
          update((d) => ({ items: [...d.items, saved].sort((a, b) => a.name.localeCompare(b.name)) }));
          setMessage(t('organisations.saved'));
        }}
      />
    </section>
  );
}

function OrganisationForm({ org, onSaved, onCancel }: { org?: Org; onSaved(org: Org): void; onCancel?(): void }) {
  const { t } = useI18n();
  const prefix = org ? `org-${org.id}` : 'org-new';
  const [name, setName] = useState(org?.name ?? '');
  const [domains, setDomains] = useState(org?.domains.join(', ') ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="form"
      onSubmit={async (e) => {
        e.preventDefault();
        setErrors({});
        setError(null);
        try {
          const body = { name, domains: splitDomains(domains) };
          const res = org
            ? await api<{ organisation: Org }>(`/api/admin/organisations/${org.id}`, { method: 'PATCH', body })
            : await api<{ organisation: Org }>('/api/admin/organisations', { method: 'POST', body });
          onSaved(res.organisation);
          if (!org) {
            setName('');
            setDomains('');
          }
        } catch (err) {
          const fields = fieldErrors(err, t);
          if (fields) setErrors(fields);
          else setError(orgErrorMessage(err, t));
        }
      }}
    >
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <Field id={`${prefix}-name`} label={t('organisations.name')} error={errors.name}>
        {(aria) => <input {...aria} type="text" required value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field id={`${prefix}-domains`} label={t('organisations.domains')} hint={t('organisations.domainsHint')} error={errors.domains}>
        {(aria) => <input {...aria} type="text" required value={domains} onChange={(e) => setDomains(e.target.value)} />}
      </Field>
      <button type="submit" className="button">
        {org ? t('organisations.save') : t('organisations.add')}
      </button>{' '}
      {onCancel && (
        <button type="button" className="button secondary" onClick={onCancel}>
          {t('organisations.cancel')}
        </button>
      )}
    </form>
  );
}

