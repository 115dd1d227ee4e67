// The client side of the client-data guardrail: a gentle warning while typing (the shared detector), and
// the dialog when the server refuses a post with 422 sensitive_data: "Aanpassen" or "Toch plaatsen".
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { type SensitiveFinding, findSensitiveData } from '../../../shared/sensitive-data';
import { useI18n } from '../i18n';
import { ApiError } from '../lib/api';

/** Text of an HTML body, for the detector (tags become spaces so words do not run together). */
function textOf(html: string): string {
  if (!html.includes('<')) return html;
  const doc = new DOMParser().parseFromString(html.replace(/<\/(p|li|h[2-4]|blockquote)>|<br\s*\/?>/gi, '$& '), 'text/html');
  return doc.body.textContent ?? '';
}

function FindingList({ findings }: { findings: SensitiveFinding[] }) {
  const { t } = useI18n();
  return (
    <ul>
      {findings.map((f) => (
        <li key={`${f.kind}-${f.excerpt}`}>
          {t(`guardrail.kinds.${f.kind}`)}: <code>{f.excerpt}</code>
        </li>
      ))}
    </ul>
  );
}

/** Under a title or body field: what looks like client data, while typing. The server decides when it is sent. */
export function SensitiveDataHint({ text, html }: { text?: string; html?: string }) {
  const { t } = useI18n();
  const [findings, setFindings] = useState<SensitiveFinding[]>([]);
  const source = text ?? html ?? '';
  // Checked a moment after typing stops, not on every key.
  useEffect(() => {
    const timer = setTimeout(() => setFindings(findSensitiveData(html !== undefined ? textOf(source) : source)), 400);
    return () => clearTimeout(timer);
  }, [source, html]);
  return (
    <div aria-live="polite" className="sensitive-hint-region">
      {findings.length > 0 && (
        <div className="notice sensitive-hint">
          <p>{t('guardrail.typingWarning')}</p>
          <FindingList findings={findings} />
        </div>
      )}
    </div>
  );
}

type Pending = { findings: SensitiveFinding[]; resolve(confirm: boolean): void };

/**
 * For a form that publishes: `send(post)` calls `post(false)`; when the server answers 422
 * sensitive_data it opens the dialog and waits. "Toch plaatsen" sends again with `post(true)`
 * (confirmSensitive) and resolves with its result; "Aanpassen" resolves null and the writer edits.
 */
export function useSensitiveGuard(): { send<T>(post: (confirmSensitive: boolean) => Promise<T>): Promise<T | null>; dialog: ReactNode; held: boolean } {
  const [pending, setPending] = useState<Pending | null>(null);
  const [held, setHeld] = useState(false);
  const send = async <T,>(post: (confirmSensitive: boolean) => Promise<T>): Promise<T | null> => {
    setHeld(false);
    try {
      return await post(false);
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'sensitive_data') throw err;
      const findings = (err.details.findings ?? []) as SensitiveFinding[];
      const confirmed = await new Promise<boolean>((resolve) => setPending({ findings, resolve }));
      setPending(null);
      if (!confirmed) return null;
      const result = await post(true);
      setHeld(true);
      return result;
    }
  };
  const dialog = pending ? <SensitiveDataDialog findings={pending.findings} onAnswer={pending.resolve} /> : null;
  return { send, dialog, held };
}

/** The modal question after a 422 sensitive_data: what was found, why it matters, and the two ways on. */
export function SensitiveDataDialog({ findings, onAnswer }: { findings: SensitiveFinding[]; onAnswer(confirm: boolean): void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog sensitive-dialog" aria-labelledby={titleId} onCancel={(e) => { e.preventDefault(); onAnswer(false); }}>
      <h2 id={titleId}>{t('guardrail.dialogTitle')}</h2>
      <p>{t('guardrail.dialogIntro')}</p>
      <FindingList findings={findings} />
      <p>{t('guardrail.dialogExplain')}</p>
      <div className="actions">
        {/* biome-ignore lint/a11y/noAutofocus: a modal dialog puts focus on its safest choice */}
        <button type="button" className="button" autoFocus onClick={() => onAnswer(false)}>
          {t('guardrail.edit')}
        </button>{' '}
        <button type="button" className="button secondary" onClick={() => onAnswer(true)}>
          {t('guardrail.postAnyway')}
        </button>
      </div>
    </dialog>
  );
}

/** After "Toch plaatsen": the post is held, and the writer knows what happens next. */
export function HeldNotice({ held }: { held: boolean }) {
  const { t } = useI18n();
  return held ? (
    <p className="notice" role="status">
      {t('guardrail.heldNotice')}
    </p>
  ) : null;
}
