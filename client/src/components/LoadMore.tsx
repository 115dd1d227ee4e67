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

/**
 * `list` with the next page added after it. What the list already has is not added again: an item can
 * reach the next page too when newer ones pushed it down while the page was loading.
 */
export function appendPage<T>(list: T[], page: T[], key: (item: T) => string): T[] {
  const have = new Set(list.map(key));
  return [...list, ...page.filter((item) => !have.has(key(item)))];
}
