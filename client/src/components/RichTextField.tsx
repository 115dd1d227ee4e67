import { Suspense, lazy, useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { readDraft, writeDraft } from '../lib/drafts';
import { SensitiveDataHint } from '../features/SensitiveDataDialog';

const Editor = lazy(() => import('./Editor'));

/** A rich-text field whose content is kept as a draft in this browser (per user, lib/drafts) until it is posted. */
export function RichTextField(props: {
  id: string;
  label: string;
  draftKey: string;
  value: string;
  onChange(html: string): void;
  resetKey: number;
  error?: string;
  /** Hide the label visually when a heading right above already names the field. */
  hideLabel?: boolean;
  /** What the field starts with when there is no draft (the post being edited). */
  initialValue?: string;
}) {
  const { t } = useI18n();
  const [initial] = useState(() => readDraft(props.draftKey) || props.initialValue || '');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs for the listed keys on purpose; the other values are read through refs or are stable
  useEffect(() => {
    if (initial) props.onChange(initial);
  }, []);
  const change = (html: string) => {
    writeDraft(props.draftKey, html);
    props.onChange(html);
  };
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={props.id} id={`${props.id}-label`} className={props.hideLabel ? 'visually-hidden' : undefined}>
        {props.label}
      </label>
      <Suspense fallback={<p className="editor-loading">{t('editor.loading')}</p>}>
        <Editor
          id={props.id}
          label={props.label}
          initialHtml={initial}
          onChange={change}
          resetKey={props.resetKey}
          describedBy={props.error ? `${props.id}-error` : undefined}
          invalid={!!props.error}
        />
      </Suspense>
      <SensitiveDataHint html={props.value} />
      {props.value && <p className="hint">{t('thread.draftSaved')}</p>}
      {props.error && (
        <p className="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}
