import { OrganisationName } from '../features/organisations';
import type { Editor } from '@tiptap/react';
import { useEffect, useState } from 'react';
import type { Author } from '../../../shared/schemas/accounts';
import { useI18n } from '../i18n';
import { api } from '../lib/api';

/** The "@naam" being typed right before the cursor, if any. */
function mentionQuery(editor: Editor): { text: string; from: number } | null {
  const { from, empty } = editor.state.selection;
  if (!empty) return null;
  const before = editor.state.doc.textBetween(Math.max(0, from - 40), from, '\n', '\n');
  const m = /(?:^|\s)@([\p{L}][\p{L}\p{N} .'-]{0,30})$/u.exec(before);
  return m ? { text: m[1], from: from - m[1].length - 1 } : null;
}

/**
 * @mention autocomplete: while "@Ann" is typed, colleagues whose name starts with it are offered;
 * Enter/Tab or a click inserts the full display name (which is what the server matches on).
 */
export function MentionSuggestions({ editor }: { editor: Editor }) {
  const { t } = useI18n();
  const [items, setItems] = useState<Author[]>([]);
  const [active, setActive] = useState(0);
  const [query, setQuery] = useState<{ text: string; from: number } | null>(null);

  useEffect(() => {
    const onUpdate = () => setQuery(mentionQuery(editor));
    editor.on('update', onUpdate);
    editor.on('selectionUpdate', onUpdate);
    return () => {
      editor.off('update', onUpdate);
      editor.off('selectionUpdate', onUpdate);
    };
  }, [editor]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs for the listed keys on purpose; the other values are read through refs or are stable
  useEffect(() => {
    if (!query || query.text.length < 2) return setItems([]);
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api<{ items: Author[] }>(`/api/users/mention?prefix=${encodeURIComponent(query.text)}`, { signal: controller.signal }).then(
        (r) => {
          setItems(r.items);
          setActive(0);
        },
        () => setItems([]),
      );
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query?.text]);

  const choose = (a: Author) => {
    if (!query) return;
    editor.chain().focus().deleteRange({ from: query.from, to: editor.state.selection.from }).insertContent(`@${a.displayName} `).run();
    setItems([]);
  };

  useEffect(() => {
    if (!items.length) return;
    const dom = editor.view.dom;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length);
      } else if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        e.stopPropagation();
        choose(items[active]);
      } else if (e.key === 'Escape') setItems([]);
    };
    dom.addEventListener('keydown', onKey, true);
    return () => dom.removeEventListener('keydown', onKey, true);
  });

  if (!items.length) return null;
  return (
    <ul
      className="mention-list"
      // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the ARIA listbox of a combobox; the editor keeps focus and handles the keys
      role="listbox"
      aria-label={t('app.people')}
    >
      {items.map((a, i) => (
        // biome-ignore lint/a11y/useFocusableInteractive: options of a combobox listbox are not focusable; the editor keeps focus
        <li
          key={a.id}
          // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: an option of the combobox's listbox
          role="option"
          aria-selected={i === active} className={i === active ? 'active' : undefined} onMouseDown={(e) => { e.preventDefault(); choose(a); }}>
          {a.displayName} {a.organisation && <span className="meta">· <OrganisationName author={a} /></span>}
        </li>
      ))}
    </ul>
  );
}
