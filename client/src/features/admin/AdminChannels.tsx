// Beheer → Kanalen: create, edit name, description and posting policy, archive and restore.
import { useState } from 'react';
import type { Channel } from '../../../../shared/schemas/forum';
import { ActionError, AsyncView, Field, errorMessage, fieldErrors } from '../../components/ui';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { useAction } from '../../lib/useAction';
import { useAsync } from '../../lib/useAsync';

type Policy = Channel['postingPolicy'];

function PolicySelect({ id, value, onChange }: { id: string; value: Policy; onChange(p: Policy): void }) {
  const { t } = useI18n();
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as Policy)}>
      <option value="open">{t('admin.policyOpen')}</option>
      <option value="experts_ask">{t('admin.policyExperts')}</option>
    </select>
  );
}

export function AdminChannels() {
  const { t } = useI18n();
  const [state, reload, update] = useAsync((signal) => api<{ items: Channel[] }>('/api/channels?includeArchived=true', { signal }), []);
  const [form, setForm] = useState({ slug: '', name: '', description: '', postingPolicy: 'open' as Policy });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const replace = (channel: Channel) => update((d) => ({ items: d.items.map((c) => (c.id === channel.id ? { ...c, ...channel } : c)) }));
  return (
    <section aria-labelledby="admin-channels-title">
      <h2 id="admin-channels-title">{t('admin.channelsTab')}</h2>
      <AsyncView state={state} onRetry={reload}>
        {(data) => (
          <ul className="card-list">
            {data.items.map((c) => (
              <ChannelRow key={c.id} channel={c} onChange={replace} />
            ))}
          </ul>
        )}
      </AsyncView>
      <form
        className="card form"
        aria-labelledby="new-channel-title"
        onSubmit={async (e) => {
          e.preventDefault();
          setErrors({});
          setMessage(null);
          try {
            const res = await api<{ channel: Channel }>('/api/channels', { method: 'POST', body: form });
            update((d) => ({ items: [...d.items, res.channel] }));
            setMessage(t('admin.created', { name: res.channel.name }));
            setForm({ slug: '', name: '', description: '', postingPolicy: 'open' });
          } catch (err) {
            const fields = fieldErrors(err, t);
            if (fields) setErrors(fields);
            else setMessage(errorMessage(err, t));
          }
        }}
      >
        <h3 id="new-channel-title">{t('admin.newChannel')}</h3>
        <p role="status">{message}</p>
        <Field id="channel-name" label={t('admin.name')} error={errors.name}>
          {(aria) => <input {...aria} type="text" required maxLength={80} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
        </Field>
        <Field id="channel-slug" label={t('admin.slug')} error={errors.slug}>
          {(aria) => <input {...aria} type="text" required pattern="[a-z0-9]+(-[a-z0-9]+)*" maxLength={60} value={form.slug} onChange={(e) => setForm({ ...form, slug: e.target.value })} />}
        </Field>
        <Field id="channel-description" label={t('admin.description')} error={errors.description}>
          {(aria) => <textarea {...aria} maxLength={500} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />}
        </Field>
        <Field id="channel-policy" label={t('admin.policy')}>
          {(aria) => <PolicySelect id={aria.id} value={form.postingPolicy} onChange={(postingPolicy) => setForm({ ...form, postingPolicy })} />}
        </Field>
        <button type="submit" className="button">
          {t('admin.create')}
        </button>
      </form>
    </section>
  );
}

function ChannelRow({ channel, onChange }: { channel: Channel; onChange(c: Channel): void }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState({ name: channel.name, description: channel.description, postingPolicy: channel.postingPolicy });
  const [message, setMessage] = useState<string | null>(null);
  const save = useAction(async (body: Record<string, unknown>) => {
    const res = await api<{ channel: Channel }>(`/api/channels/${channel.slug}`, { method: 'PATCH', body });
    onChange(res.channel);
    setEditing(false);
    setMessage(t('admin.saved', { name: res.channel.name }));
  });
  const id = `channel-${channel.id}`;
  return (
    <li className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {channel.name} {channel.archived && <span className="badge">{t('admin.archived')}</span>}
      </h3>
      <p className="hint">/c/{channel.slug} · {channel.postingPolicy === 'open' ? t('admin.policyOpen') : t('admin.policyExperts')}</p>
      {editing ? (
        <form
          className="form"
          aria-label={t('admin.editChannel', { name: channel.name })}
          onSubmit={(e) => {
            e.preventDefault();
            void save.run(form);
          }}
        >
          <Field id={`${id}-name`} label={t('admin.name')}>
            {(aria) => <input {...aria} type="text" required maxLength={80} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
          </Field>
          <Field id={`${id}-description`} label={t('admin.description')}>
            {(aria) => <textarea {...aria} maxLength={500} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />}
          </Field>
          <Field id={`${id}-policy`} label={t('admin.policy')}>
            {(aria) => <PolicySelect id={aria.id} value={form.postingPolicy} onChange={(postingPolicy) => setForm({ ...form, postingPolicy })} />}
          </Field>
          <button type="submit" className="button small">
            {t('admin.save')}
          </button>{' '}
          <button type="button" className="button secondary small" onClick={() => setEditing(false)}>
            {t('admin.cancel')}
          </button>
        </form>
      ) : (
        <p className="admin-actions">
          <button type="button" className="button secondary small" aria-label={t('admin.editChannel', { name: channel.name })} onClick={() => setEditing(true)}>
            {t('admin.edit')}
          </button>{' '}
          <button type="button" className="button secondary small" onClick={() => void save.run({ archived: !channel.archived })}>
            {channel.archived ? t('admin.unarchive') : t('admin.archive')}
          </button>
        </p>
      )}
      <p role="status" className="hint">
        {message}
      </p>
      <ActionError error={save.error} />
    </li>
  );
}
