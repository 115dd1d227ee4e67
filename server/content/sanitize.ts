import { decode } from 'html-entities';
import linkifyHtml from 'linkify-html';
import sanitizeHtml from 'sanitize-html';
import { cleanWordPaste } from '../../shared/content/word-paste';

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
    tr: 'p',
    a: (tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag => {
      const href = attribs.href?.trim() ?? '';
      // Decide the scheme here too, so a refused link leaves plain text instead of an empty <a>.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here (they are stripped or refused)
      const compact = decode(href).replace(/[\u0000-\u0020]/g, '').toLowerCase();
      // A refused link keeps its tag without attributes (normaliseStructure unwraps it to plain text):
      // renaming it to a tag outside the allowlist makes sanitize-html close the next link wrongly.
      // Besides web and mail addresses: a member's profile (/u/<id>), what an @mention links to.
      return /^(https?:\/\/|mailto:)/.test(compact) || /^\/u\/[1-9][0-9]{0,18}$/.test(compact)
        ? { tagName, attribs: { href, rel: LINK_REL } }
        : { tagName, attribs: {} as Record<string, string> };
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

/** Text without any tag: blank lines separate paragraphs, single newlines are line breaks. */
function plainTextToHtml(input: string): string {
  return input
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((para) => para.trim())
    .filter(Boolean)
    .map((para) => `<p>${para.split('\n').join('<br>')}</p>`)
    .join('');
}

const linkifyOptions = {
  ignoreTags: ['a', 'code', 'pre'],
  defaultProtocol: 'https',
  validate: (_value: string, type: string) => type === 'url',
  attributes: { rel: LINK_REL },
};

function linkBareUrls(html: string): string {
  return linkifyHtml(html, linkifyOptions);
}

/** Cleans user HTML to the allowlist and derives the plain-text copy used for previews and search. */
/**
 * C0 control characters (and DEL) other than tab, line feed and carriage return: invisible, never
 * meant, and search uses two of them as snippet markers.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here (they are stripped or refused)
const C0_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function sanitizeBody(rawInput: string): CleanBody {
  const input = rawInput.replace(C0_CONTROLS, '');
  const source = /<[a-zA-Z!/?]/.test(input) ? input : plainTextToHtml(input);
  const prepared = cleanWordPaste(source)
    // Table rows become paragraphs (tr → p), cells keep a space between them and lose their own paragraphs.
    .replace(/(<t[dh]\b[^>]*>)([\s\S]*?)(<\/t[dh]\s*>)/gi, (_m, open: string, inner: string, close: string) =>
      `${open}${inner.replace(/<\/p\s*>\s*<p\b[^>]*>/gi, '<br>').replace(/<\/?p\b[^>]*>/gi, '')}${close} `);
  // Bare web addresses in the text become links (the editor links them as they are typed; this also
  // covers one typed last, and bodies sent through the API). Existing links keep their href.
  const first = linkBareUrls(sanitizeHtml(prepared, BODY_OPTIONS));
  // Restructure (no nested paragraphs, loose text in paragraphs, whitespace collapsed), then run the
  // allowlist once more over the result as a safety net.
  // Entities such as &#1; come out of the sanitizer as the characters themselves.
  const html = sanitizeHtml(normaliseStructure(first), BODY_OPTIONS).replace(C0_CONTROLS, '').trim();
  return { html, text: htmlToText(html) };
}

// --- Structure of sanitized HTML -----------------------------------------------------------------
// The input here is sanitize-html output: only allowlisted tags, attributes quoted and escaped, text
// escaped. That makes a small tokenizer exact enough to rebuild the tree.

const BLOCK = new Set(['p', 'ul', 'ol', 'li', 'blockquote', 'h2', 'h3', 'h4', 'pre']);
const VOID = new Set(['br']);

interface El {
  tag: string;
  open: string;
  children: Node[];
}
type Node = El | string;

function parse(html: string): Node[] {
  const root: El = { tag: '#root', open: '', children: [] };
  const stack: El[] = [root];
  for (const [token, close, name] of html.matchAll(/<(\/?)([a-z0-9]+)\b[^>]*>|[^<]+|</gi)) {
    const top = stack[stack.length - 1];
    if (!name) {
      top.children.push(token === '<' ? '&lt;' : token);
      continue;
    }
    const tag = name.toLowerCase();
    if (close) {
      const at = stack.map((e) => e.tag).lastIndexOf(tag);
      if (at > 0) stack.length = at;
      continue;
    }
    const el: El = { tag, open: token, children: [] };
    top.children.push(el);
    if (!VOID.has(tag) && !token.endsWith('/>')) stack.push(el);
  }
  return root.children;
}

const isBlock = (n: Node) => typeof n !== 'string' && BLOCK.has(n.tag);
const isBlank = (n: Node) => typeof n === 'string' && !n.replace(/&nbsp;|&#160;|\u00a0/g, ' ').trim();
const hasText = (nodes: Node[]): boolean =>
  nodes.some((n) => (typeof n === 'string' ? !isBlank(n) : n.tag !== 'br' && hasText(n.children)));

/** Wraps runs of inline nodes in `<p>` among block siblings; drops whitespace between blocks. */
function wrapInline(nodes: Node[], always: boolean): Node[] {
  if (!always && !nodes.some(isBlock)) return nodes;
  const out: Node[] = [];
  let run: Node[] = [];
  const flush = () => {
    // Line breaks at the edges of a run are leftovers of the structure around it.
    while (run.length && (isBlank(run[0]) || (typeof run[0] !== 'string' && run[0].tag === 'br'))) run.shift();
    while (run.length && (isBlank(run[run.length - 1]) || (typeof run[run.length - 1] !== 'string' && (run[run.length - 1] as El).tag === 'br'))) run.pop();
    if (hasText(run)) out.push({ tag: 'p', open: '<p>', children: run });
    run = [];
  };
  for (const n of nodes) {
    if (isBlock(n)) {
      flush();
      out.push(n);
    } else run.push(n);
  }
  flush();
  return out;
}

function normaliseNodes(nodes: Node[], inPre: boolean, parent: string): Node[] {
  const out: Node[] = [];
  for (const n of nodes) {
    if (typeof n === 'string') {
      out.push(inPre ? n : n.replace(/[ \t\r\n\f]+/g, ' '));
      continue;
    }
    n.children = normaliseNodes(n.children, inPre || n.tag === 'pre', n.tag);
    if (n.tag === 'li' && parent !== 'ul' && parent !== 'ol') {
      // A list item without a list: join it to the list just before, or start one.
      const prev = out[out.length - 1];
      if (prev && typeof prev !== 'string' && prev.tag === 'ul' && prev.open === '<ul data-loose>') prev.children.push(n);
      else out.push({ tag: 'ul', open: '<ul data-loose>', children: [n] });
    } else if (!BLOCK.has(n.tag) && n.children.some(isBlock)) {
      // Inline markup (strong, em, a, code) around blocks cannot stay: keep the blocks.
      out.push(...n.children);
    } else if ((n.tag === 'p' || /^h[2-4]$/.test(n.tag)) && n.children.some(isBlock)) {
      // A paragraph (a Word/Outlook <div>) around blocks: keep the blocks, wrap loose text.
      out.push(...wrapInline(n.children, true));
    } else if (n.tag === 'ul' || n.tag === 'ol') {
      const items = n.children.filter((c) => !isBlank(c)).map((c): Node => (typeof c !== 'string' && c.tag === 'li' ? c : { tag: 'li', open: '<li>', children: [c] }));
      if (items.length) out.push({ ...n, children: items });
    } else if (n.tag === 'blockquote' || n.tag === 'li') {
      out.push({ ...n, children: wrapInline(n.children, n.tag === 'blockquote') });
    } else if (n.tag === 'a' && !/\shref="/.test(n.open)) {
      // A link whose address was refused: its text stays, unlinked.
      out.push(...n.children);
    } else if (n.tag === 'a' && !hasText(n.children)) {
      // An empty link shows nothing to click.
    } else {
      out.push(n);
    }
  }
  return out;
}

function serialise(nodes: Node[]): string {
  return nodes
    .map((n) => (typeof n === 'string' ? n : VOID.has(n.tag) ? '<br />' : `${n.tag === 'ul' ? '<ul>' : n.open}${serialise(n.children)}</${n.tag}>`))
    .join('');
}

/** Tidies text blocks: trims leading/trailing spaces and line breaks inside each block. */
function trimBlocks(nodes: Node[]): Node[] {
  for (const n of nodes) {
    if (typeof n === 'string' || n.tag === 'pre') continue;
    trimBlocks(n.children);
    if (BLOCK.has(n.tag)) {
      const c = n.children;
      while (c.length && typeof c[0] !== 'string' && c[0].tag === 'br') c.shift();
      while (c.length && typeof c[c.length - 1] !== 'string' && (c[c.length - 1] as El).tag === 'br') c.pop();
      if (typeof c[0] === 'string') c[0] = c[0].replace(/^ +/, '');
      if (typeof c[c.length - 1] === 'string') c[c.length - 1] = (c[c.length - 1] as string).replace(/ +$/, '');
    }
  }
  return nodes.filter((n) => typeof n === 'string' || !BLOCK.has(n.tag) || n.tag === 'ul' || n.tag === 'ol' || hasText(n.children));
}

export function normaliseStructure(html: string): string {
  return serialise(trimBlocks(wrapInline(normaliseNodes(parse(html), false, '#root'), true)));
}

/** Plain text of sanitized HTML: block boundaries become line breaks, entities decoded. */
export function htmlToText(html: string): string {
  const withBreaks = html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|li|h[2-4]|blockquote|pre)>/gi, '\n');
  const stripped = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {} });
  return decode(stripped)
    // Entities such as &#1; decode to control characters too.
    .replace(C0_CONTROLS, '')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    // One line per block: a paragraph inside a list item ends two blocks at once.
    .replace(/\n{2,}/g, '\n')
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
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here (they are stripped or refused)
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
