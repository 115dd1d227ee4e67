import { useEffect, useRef, useState } from 'react';
import type { Attachment } from '../../../shared/schemas/attachments';
import type { Author } from '../../../shared/schemas/accounts';
import { Avatar, errorMessage } from '../components/ui';
import { type Locale, localeTag, useI18n } from '../i18n';
import { ApiError, api, apiError } from '../lib/api';

interface Item {
  key: string;
  name: string;
  progress: number;
  attachment?: Attachment;
  error?: string;
}

/** Uploads with XHR for the progress bar; fails with an ApiError as `api()` does (suspended, 429, offline…). */
function uploadFile(file: File, onProgress: (p: number) => void): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/attachments');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: { attachment?: Attachment } | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON (a proxy's error page): the status still says what happened.
      }
      if (xhr.status === 201 && body?.attachment) resolve(body.attachment);
      else reject(apiError(xhr.status, body, xhr.getResponseHeader('retry-after'), xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'));
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}

/**
 * Why an upload failed: a refused file in the upload's own words (too large, not allowed), anything else
 * (suspended, too many uploads, offline…) as every other request says it.
 */
function uploadError(err: unknown, t: (key: string, vars?: Record<string, string | number>) => string): string {
  if (err instanceof ApiError && (err.status === 413 || err.status === 415)) return t('attachments.failed', { reason: err.status === 413 ? t('attachments.tooLarge') : t('attachments.unsupported') });
  return errorMessage(err, t);
}

/** "1,5 MB" / "1.5 MB", "12 kB": the number in the reader's locale (Dutch has a decimal comma). */
function formatSize(n: number, locale: Locale): string {
  const mb = n > 1024 * 1024;
  return new Intl.NumberFormat(localeTag(locale), { style: 'unit', unit: mb ? 'megabyte' : 'kilobyte', unitDisplay: 'short', minimumFractionDigits: mb ? 1 : 0, maximumFractionDigits: mb ? 1 : 0 }).format(mb ? n / 1024 / 1024 : Math.max(1, Math.round(n / 1024)));
}

/**
 * Attach by button or drag-and-drop, a progress bar per file, a description per handout ("Bijlage:
 * <naam> — <beschrijving>"), remove before posting. `initial` brings back the uploads of a kept draft;
 * `onAttachments` hears the uploaded list whole (to keep it with the draft).
 */
export function AttachmentPicker({ onChange, initial, onAttachments }: { onChange(ids: string[]): void; initial?: Attachment[]; onAttachments?(list: Attachment[]): void }) {
  const { t } = useI18n();
  const [items, setItems] = useState<Item[]>(() => (initial ?? []).map((a) => ({ key: `kept-${a.id}`, name: a.filename, progress: 1, attachment: a })));
  const input = useRef<HTMLInputElement>(null);
  // The form always holds what the list shows: also [] after a remount (the form resets it per post).
  const uploaded = items.flatMap((i) => (i.attachment ? [`${i.attachment.id}\u0000${i.attachment.description}`] : [])).join('\u0001');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs for the listed keys on purpose; the other values are read through refs or are stable
  useEffect(() => {
    const list = items.flatMap((i) => (i.attachment ? [i.attachment] : []));
    onChange(list.map((a) => a.id));
    onAttachments?.(list);
  }, [uploaded]);
  const describe = async (key: string, attachment: Attachment, description: string) => {
    if (description === attachment.description) return;
    try {
      const res = await api<{ attachment: Attachment }>(`/api/attachments/${attachment.id}`, { method: 'PATCH', body: { description } });
      setItems((list) => list.map((i) => (i.key === key ? { ...i, attachment: res.attachment, error: undefined } : i)));
    } catch (err) {
      setItems((list) => list.map((i) => (i.key === key ? { ...i, error: errorMessage(err, t) } : i)));
    }
  };
  const add = (files: FileList | null) => {
    if (!files) return;
    for (const file of Array.from(files)) {
      const key = `${file.name}-${Math.random()}`;
      setItems((list) => [...list, { key, name: file.name, progress: 0 }]);
      uploadFile(file, (p) => setItems((list) => list.map((i) => (i.key === key ? { ...i, progress: p } : i))))
        .then((attachment) => setItems((list) => list.map((i) => (i.key === key ? { ...i, attachment, progress: 1 } : i))))
        .catch((err: unknown) => setItems((list) => list.map((i) => (i.key === key ? { ...i, error: uploadError(err, t) } : i))));
    }
  };
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drop zone for files dragged onto the form; the button inside is the keyboard way
    <div
      className="attachment-picker"
      onDragOver={(e) => e.preventDefault()} onDrop={(e) => { e.preventDefault(); add(e.dataTransfer.files); }}>
      <button type="button" className="button secondary small" onClick={() => input.current?.click()}>{t('attachments.add')}</button> <span className="hint">{t('attachments.drop')}</span>
      <input ref={input} type="file" multiple hidden onChange={(e) => { add(e.target.files); e.target.value = ''; }} />
      {items.length > 0 && (
        <ul className="upload-list">
          {items.map((i) => (
            <li key={i.key}>
              <span>{i.name}</span>{' '}
              {!i.attachment && !i.error && <progress max={1} value={i.progress} aria-label={t('attachments.uploading')} />}
              {i.error && <span className="field-error" role="alert">{i.error}</span>}
              {i.attachment && (
                <span className="describe">
                  <label htmlFor={`describe-${i.key}`} className="visually-hidden">
                    {t('threadPage.describeAttachment', { name: i.name })}
                  </label>
                  <input
                    id={`describe-${i.key}`}
                    type="text"
                    maxLength={300}
                    placeholder={t('threadPage.describeHint')}
                    defaultValue={i.attachment.description}
                    onBlur={(e) => void describe(i.key, i.attachment!, e.currentTarget.value.trim())}
                  />
                </span>
              )}
              <button type="button" className="link-button" aria-label={t('attachments.remove', { name: i.name })} onClick={() => setItems((list) => list.filter((x) => x.key !== i.key))}>
                <svg aria-hidden="true" focusable="false" viewBox="0 0 16 16" width="14" height="14"><path d="M3 3l10 10M13 3L3 13" stroke="currentColor" strokeWidth="2" strokeLinecap="round" /></svg>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Attachments under a post: thumbnails for images, type, name and size for the rest. */
export function AttachmentList({ attachments }: { attachments: Attachment[] }) {
  const { t, locale } = useI18n();
  if (!attachments.length) return null;
  return (
    <ul className="attachments" aria-label={t('attachments.list')}>
      {attachments.map((a) => (
        <li key={a.id}>
          <a href={a.url}>
            {a.contentType.startsWith('image/') ? <img src={a.url} alt="" width={48} height={48} loading="lazy" /> : <span className="file-type" aria-hidden="true">{a.filename.split('.').pop()?.toUpperCase().slice(0, 4)}</span>}
            <span>{t('threadPage.attachment', { name: a.filename })}</span> <span className="meta">({formatSize(a.size, locale)})</span>
          </a>
          {a.description && <span className="attachment-description"> — {a.description}</span>}
          {a.searchable === false && (
            <span className="badge not-searchable" title={t('knowledgeSearch.notSearchableHint')}>
              {t('knowledgeSearch.notSearchable')}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

/** The profile photo in the settings page: the current one, choose a new one, or remove it. */
export function AvatarUpload({ user, onSaved }: { user: Pick<Author, 'displayName' | 'avatarUrl'>; onSaved(): void }) {
  const { t } = useI18n();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Without a photo the URL has no version: the server draws initials.
  const hasPhoto = user.avatarUrl.includes('?v=');
  return (
    <div className="card form avatar-settings">
      <Avatar author={user} size={96} />
      <label htmlFor="avatar-file">{t('attachments.photoUpload')}</label>
      <input
        id="avatar-file"
        type="file"
        accept="image/png,image/jpeg,image/webp"
        disabled={busy}
        onChange={async (e) => {
          const input = e.currentTarget;
          const file = input.files?.[0];
          if (!file) return;
          const form = new FormData();
          form.append('file', file);
          setBusy(true);
          setMessage(t('attachments.uploading'));
          try {
            await api('/api/me/avatar', { method: 'PUT', body: form });
            setMessage(t('attachments.photoSaved'));
            onSaved();
          } catch (err) {
            setMessage(uploadError(err, t));
          } finally {
            setBusy(false);
            input.value = '';
          }
        }}
      />
      <p className="hint">{t('attachments.photoHint')}</p>
      {hasPhoto && (
        <button
          type="button"
          className="button secondary small"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await api('/api/me/avatar', { method: 'DELETE' });
              setMessage(t('attachments.photoRemoved'));
              onSaved();
            } catch (err) {
              setMessage(errorMessage(err, t));
            } finally {
              setBusy(false);
            }
          }}
        >
          {t('attachments.photoRemove')}
        </button>
      )}
      <p role="status">{message}</p>
    </div>
  );
}
