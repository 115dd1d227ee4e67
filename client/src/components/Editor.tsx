import { PasteRule } from '@tiptap/core';
import Link from '@tiptap/extension-link';
import { EditorContent, useEditor } from '@tiptap/react';
import { find } from 'linkifyjs';
import StarterKit from '@tiptap/starter-kit';
import { useEffect } from 'react';
import { cleanWordPaste } from '../../../shared/content/word-paste';
import { useI18n } from '../i18n';
import { MentionSuggestions } from './MentionSuggestions';

/**
 * Links keep the href the writer gave. TipTap's own paste rule links every URL-looking text it finds
 * in pasted content and so replaced a pasted `<a href="https://www.utrecht.nl/zorg-en-onderwijs/">utrecht.nl</a>`
 * with `http://utrecht.nl`. This rule links bare URLs in pasted text only where no link is yet.
 * Typed bare URLs are linked by the autolink plugin, which already leaves existing links alone.
 */
const LinkAsWritten = Link.extend({
  addPasteRules() {
    const type = this.type;
    return [
      new PasteRule({
        find: (text) =>
          find(text, { defaultProtocol: 'https' })
            .filter((l) => l.isLink && /^(https?:\/\/|mailto:)/i.test(l.href))
            .map((l) => ({ text: l.value, index: l.start, data: { href: l.href } })),
        handler: ({ state, range, match }) => {
          if (state.doc.rangeHasMark(range.from, range.to, type)) return;
          state.tr.addMark(range.from, range.to, type.create({ href: (match.data as { href: string }).href }));
        },
      }),
    ];
  },
});

export interface EditorProps {
  id: string;
  label: string;
  initialHtml: string;
  onChange(html: string): void;
  /** Changes when the parent wants the editor emptied (after a successful post). */
  resetKey: number;
  describedBy?: string;
  invalid?: boolean;
}

/**
 * The rich-text editor (TipTap). Only the allowlisted marks and nodes exist in its schema, so a
 * paste from Word or Outlook keeps paragraphs, bold, italics, lists and links and drops the rest.
 * The server sanitizes again; this is for a clean editing experience.
 */
export default function Editor({ id, label, initialHtml, onChange, resetKey, describedBy, invalid }: EditorProps) {
  const { t } = useI18n();
  const editor = useEditor({
    extensions: [
      StarterKit.configure({ heading: { levels: [2, 3, 4] }, horizontalRule: false, strike: false, underline: false, link: false } as never),
      LinkAsWritten.configure({ openOnClick: false, autolink: true, defaultProtocol: 'https', protocols: ['http', 'https', 'mailto'], HTMLAttributes: { rel: 'nofollow ugc noopener noreferrer', target: null } }),
    ],
    content: initialHtml,
    editorProps: {
      // Word and Outlook lists are paragraphs with mso-list styles: make them real lists before parsing.
      transformPastedHTML: cleanWordPaste,
      attributes: {
        id,
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-label': label,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(invalid ? { 'aria-invalid': 'true' } : {}),
        class: 'editor-content',
      },
    },
    onUpdate: ({ editor }) => onChange(editor.isEmpty ? '' : editor.getHTML()),
  });

  useEffect(() => {
    if (editor && resetKey > 0) editor.commands.clearContent(true);
  }, [editor, resetKey]);

  if (!editor) return <p className="editor-loading">{t('editor.loading')}</p>;

  const button = (name: string, label: string, action: () => void, text: string) => (
    <button type="button" className={`tool${editor.isActive(name) ? ' active' : ''}`} aria-pressed={editor.isActive(name)} aria-label={label} title={label} onClick={action}>
      <span aria-hidden="true">{text}</span>
    </button>
  );

  return (
    <div className="editor">
      <div className="toolbar" role="toolbar" aria-label={t('editor.toolbar')} aria-controls={id}>
        {button('bold', t('editor.bold'), () => editor.chain().focus().toggleBold().run(), t('editor.buttonText.bold'))}
        {button('italic', t('editor.italic'), () => editor.chain().focus().toggleItalic().run(), t('editor.buttonText.italic'))}
        {button('heading', t('editor.heading'), () => editor.chain().focus().toggleHeading({ level: 3 }).run(), t('editor.buttonText.heading'))}
        {button('bulletList', t('editor.bulletList'), () => editor.chain().focus().toggleBulletList().run(), '•')}
        {button('orderedList', t('editor.orderedList'), () => editor.chain().focus().toggleOrderedList().run(), '1.')}
        {button('blockquote', t('editor.quote'), () => editor.chain().focus().toggleBlockquote().run(), '“')}
        {button(
          'link',
          t('editor.link'),
          () => {
            const href = window.prompt(t('editor.linkPrompt'), editor.getAttributes('link').href ?? 'https://');
            if (href === null) return;
            if (href === '') editor.chain().focus().unsetLink().run();
            else if (/^(https?:\/\/|mailto:)/i.test(href)) editor.chain().focus().setLink({ href }).run();
          },
          t('editor.buttonText.link'),
        )}
      </div>
      <EditorContent editor={editor} />
      <MentionSuggestions editor={editor} />
    </div>
  );
}
