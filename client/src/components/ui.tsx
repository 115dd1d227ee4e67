import { useEffect, useRef, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { Author } from '../../../shared/schemas/accounts';
import { useI18n } from '../i18n';
import { ApiError } from '../lib/api';
import type { AsyncState } from '../lib/useAsync';

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" /> {t('app.loading')}
    </p>
  );
}

/**
 * What the page was asked for does not exist (any more): a 404, or an address whose id or slug the server
 * refuses outright ("/t/abc"). Trying again cannot help, so this is not shown as a failed load.
 */
function isNotFound(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.status === 404 || (error.status === 400 && error.code === 'validation_failed' && ('id' in error.fields || 'slug' in error.fields));
}

/** The "niet gevonden" page: its heading, a line why, and the way home (also for an unknown thread, channel or profile). */
export function NotFound() {
  const { t } = useI18n();
  return (
    <div className="narrow">
      <PageTitle>{t('app.notFoundTitle')}</PageTitle>
      <p>{t('app.notFoundText')}</p>
      <Link to="/" className="button">
        {t('app.backHome')}
      </Link>
    </div>
  );
}

/** A failed load with a retry button; an unknown thread, channel or profile (404) gets the not-found page instead. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  if (isNotFound(error)) return <NotFound />;
  const message = errorMessage(error, t);
  return (
    <div className="state state-error" role="alert">
      <p>{t('app.errorLoading')} {message}</p>
      {onRetry && (
        <button type="button" className="button secondary" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}

/** What `useAsync` gives: the loading notice, the error with a retry button (or not found), or the loaded data. */
export function AsyncView<T>({ state, onRetry, children }: { state: AsyncState<T>; onRetry(): void; children(data: T): ReactNode }) {
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={onRetry} />;
  return <>{children(state.data)}</>;
}

/** A failed action's error text next to its control (useAction's `error`); nothing when there is none. */
export function ActionError({ error }: { error: string | null }) {
  return error ? (
    <span className="field-error action-error" role="alert">
      {error}
    </span>
  ) : null;
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

/** Dutch (or English) text for an API error code; a 429 says when to try again. */
export function errorMessage(error: unknown, t: (key: string, vars?: Record<string, string | number>) => string): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('errors.network');
    if (error.code === 'rate_limited') return t('errors.rate_limited', { seconds: error.retryAfter ?? 60 });
    const key = `errors.${error.code}`;
    const text = t(key);
    if (text !== key) return text;
    if (error.status === 404) return t('errors.not_found');
    if (error.status === 403) return t('errors.forbidden');
  }
  return t('errors.generic');
}

/** A server field error in the user's language (the server speaks English; map what we know). */
function fieldMessage(raw: string | undefined, t: (key: string) => string): string | undefined {
  if (!raw) return undefined;
  if (/fewer than 10|password/i.test(raw)) return t('errors.field.password');
  if (/must NOT have fewer|must contain text/i.test(raw)) return t('errors.field.tooShort');
  if (/must NOT have more/i.test(raw)) return t('errors.field.tooLong');
  if (/format "email"/i.test(raw)) return t('errors.field.email');
  if (/required/i.test(raw)) return t('errors.field.required');
  return t('errors.field.invalid');
}

/**
 * A 400's `fields` as messages per form field in the user's language, or null when the error names no
 * fields (then the form shows `errorMessage` instead). A nested name counts for its field: "tags.0" → "tags".
 */
export function fieldErrors(error: unknown, t: (key: string) => string): Record<string, string> | null {
  if (!(error instanceof ApiError) || !Object.keys(error.fields).length) return null;
  return Object.fromEntries(Object.entries(error.fields).map(([name, raw]) => [name.split('.')[0], fieldMessage(raw, t) ?? raw]));
}

export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: (aria: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const describedBy = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.hint && (
        <p className="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.children({ id: props.id, 'aria-describedby': describedBy, 'aria-invalid': props.error ? true : undefined })}
      {props.error && (
        <p className="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter((p) => /^[\p{L}]/u.test(p));
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}

export function Avatar({ author, size = 40 }: { author: Pick<Author, 'displayName' | 'avatarUrl'>; size?: number }) {
  const { t } = useI18n();
  return (
    <span className="avatar" style={{ width: size, height: size }}>
      <span className="avatar-initials" aria-hidden="true">{initials(author.displayName)}</span>
      <img src={author.avatarUrl} alt={t('threadPage.avatarAlt', { name: author.displayName })} width={size} height={size} loading="lazy" onError={(e) => (e.currentTarget.style.display = 'none')} />
    </span>
  );
}

let firstPage = true;

/**
 * Moves focus to the page's h1 when the user navigates to another page, so screen-reader users hear
 * where they are. Not on the first page: there the skip link must stay the first stop of Tab.
 */
export function PageTitle({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (firstPage) {
      firstPage = false;
      return;
    }
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
