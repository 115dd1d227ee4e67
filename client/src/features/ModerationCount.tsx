import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { topics } from '../../../shared/topics';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { subscribe } from '../lib/realtime';
import { hasRole, useSession } from '../lib/session';

const baseTitle = typeof document !== 'undefined' ? document.title : 'Plein';

/** How many report groups and held posts wait for moderators: read once, then live on the mod topic. */
export function useModerationCount(): number | null {
  const { user } = useSession();
  const isMod = hasRole(user, 'moderator');
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    if (!isMod) {
      setCount(null);
      return;
    }
    let live = true;
    void api<{ openCount: number }>('/api/mod/count')
      .then((r) => live && setCount(r.openCount))
      .catch(() => {});
    const off = subscribe(topics.mod, {
      onEvent: (e) => {
        if (e.event === 'moderation.count') setCount(e.data.openCount);
      },
    });
    return () => {
      live = false;
      off();
    };
  }, [isMod]);
  // The count in the page title too, so a moderator sees it in a background tab.
  useEffect(() => {
    document.title = count ? `(${count}) ${baseTitle}` : baseTitle;
  }, [count]);
  return count;
}

/** "Moderatie" in the main menu with the live number of open items. */
export function ModerationNavLink() {
  const { t } = useI18n();
  const count = useModerationCount();
  return (
    <Link to="/moderatie" aria-label={count ? t('modTold.navWithCount', { count }) : undefined}>
      {t('moderation.page')}
      {count ? (
        <span className="badge count" aria-hidden="true">
          {count}
        </span>
      ) : null}
    </Link>
  );
}

/**
 * A button that asks first: the first click shows the question with "Ja" and "Annuleren" (focus on
 * the confirming button); only that runs the action.
 */
export function ConfirmButton({ label, question, confirmLabel, onConfirm, className = 'button secondary small' }: { label: string; question: string; confirmLabel: string; onConfirm(): void | Promise<void>; className?: string }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className={className} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span>{question}</span>{' '}
      {/* biome-ignore lint/a11y/noAutofocus: the question appears because the moderator just asked for this action: focus goes to its answer */}
      <button type="button" className="button small danger" autoFocus onClick={async () => { setAsking(false); await onConfirm(); }}>
        {confirmLabel}
      </button>{' '}
      <button type="button" className="button secondary small" onClick={() => setAsking(false)}>
        {t('moderation.cancel')}
      </button>
    </span>
  );
}
