import { useI18n } from '../i18n';
import { useAction } from '../lib/useAction';
import { ActionError } from './ui';

/**
 * "Meer laden" under a list: `load` fetches the page after `cursor` and adds it. While it runs the button
 * says so; a failure says why next to it, and the button stays for another try.
 */
export function LoadMore({ cursor, load }: { cursor: string; load(cursor: string): Promise<void> }) {
  const { t } = useI18n();
  const more = useAction(load);
  return (
    <p>
      <button type="button" className="button secondary" onClick={() => void more.run(cursor)}>
        {more.busy ? t('app.loading') : t('channel.loadMore')}
      </button>{' '}
      <ActionError error={more.error} />
    </p>
  );
}
