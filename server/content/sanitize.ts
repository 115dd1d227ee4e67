import { decode } from 'html-entities';
import sanitizeHtml from 'sanitize-html';
import { stripWordArtifacts, wordListsToHtmlLists } from '../../shared/content/word-paste';

/** The body allowlist of DESIGN.md; nothing else survives (no style, script, iframe, svg, math, form…). */
const ALLOWED_TAGS = ['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a', 'blockquote', 'h2', 'h3', 'h4', 'code', 'pre'];
export const LINK_REL = 'nofollow ugc noopener noreferrer';

const BODY_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  // Dropped with their content: Word's <xml> and <style> blocks would otherwise leave junk text.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'xmp', 'xml', 'head', 'title', 'template', 'iframe', 'object', 'svg', 'math'],
  transformTags: {
    b: 'strong',
    i: 'em',
    h1: 'h2',
    h5: 'h4',
    h6: 'h4',
    div: 'p',
    a: (tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag => {
      const href = attribs.href?.trim() ?? '';
      // Decide the scheme here too, so a refused link leaves plain text instead of an empty <a>.
      // eslint-disable-next-line no-control-regex
      const compact = decode(href).replace(/[\u0000-\u0020]/g, '').toLowerCase();
      return /^(https?:\/\/|mailto:)/.test(compact) ? { tagName, attribs: { href, rel: LINK_REL } } : { tagName: 'span', attribs: {} as Record<string, string> };
    },
  },
  // Word pastes are full of empty paragraphs (<p><o:p>&nbsp;</o:p></p>).
  exclusiveFilter: (frame) => (frame.tag === 'p' || frame.tag === 'li') && !frame.text.replace(/\u00a0/g, ' ').trim() && !frame.mediaChildren?.length && !/<br/i.test(frame.text),
};
// rel is added by the transform; allow it on output.
(BODY_OPTIONS.allowedAttributes as Record<string, string[]>).a.push('rel');

export interface CleanBody {
  html: string;
  text: string;
}

/** Cleans user HTML to the allowlist and derives the plain-text copy used for previews and search. */
export function sanitizeBody(input: string): CleanBody {
  const prepared = stripWordArtifacts(wordListsToHtmlLists(input.replace(/<!--\[if[\s\S]*?<!\[endif\]-->/gi, '')));
  const html = sanitizeHtml(prepared, BODY_OPTIONS)
    .replace(/(&nbsp;|\u00a0)+(?=<\/(p|li|h[2-4])>)/g, '')
    .replace(/<p>(?:\s|&nbsp;|\u00a0)*<\/p>/g, '')
    .trim();
  return { html, text: htmlToText(html) };
}

/** Plain text of sanitized HTML: block boundaries become line breaks, entities decoded. */
export function htmlToText(html: string): string {
  const withBreaks = html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|li|h[2-4]|blockquote|pre)>/gi, '\n');
  const stripped = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {} });
  return decode(stripped)
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Plain text for titles and tags: markup removed (repeatedly, so entity-encoded tags do not come back),
 * control characters dropped, whitespace collapsed.
 */
export function plainText(input: string): string {
  let current = input;
  for (let i = 0; i < 3; i++) {
    const next = decode(sanitizeHtml(current, { allowedTags: [], allowedAttributes: {}, nonTextTags: ['script', 'style', 'textarea', 'noscript', 'xmp', 'svg', 'math', 'iframe', 'title'] }));
    if (next === current) break;
    current = next;
  }
  // eslint-disable-next-line no-control-regex
  return current.replace(/[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** First `max` characters of plain text on a word boundary, with an ellipsis when cut. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Tags: plain text, lower case, no leading '#', deduplicated, at most `max`. */
export function normaliseTags(tags: string[] | undefined, max = 5): string[] {
  const seen = new Set<string>();
  for (const raw of tags ?? []) {
    const tag = plainText(raw).toLowerCase().replace(/^#+/, '').slice(0, 40).trim();
    if (tag) seen.add(tag);
  }
  return [...seen].slice(0, max);
}
