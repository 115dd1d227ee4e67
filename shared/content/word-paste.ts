// Word and Outlook clipboard HTML → plain HTML lists and paragraphs. Pure string work, shared by the
// server's sanitizer and the client editor's paste handler (no DOM, no Node APIs).

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', '#183': '·', middot: '·' };
function decodeBasicEntities(s: string): string {
  return s.replace(/&(#?\w+);/g, (m, name: string) => ENTITIES[name] ?? (name.startsWith('#') ? String.fromCharCode(Number(name.slice(1))) : m));
}

const LIST_PARAGRAPH = /<p\b[^>]*(?:class=["']?MsoListParagraph|mso-list:)[^>]*>[\s\S]*?<\/p>/gi;

/**
 * Word and Outlook write list items as paragraphs with `mso-list` styles and a bullet glyph inside
 * `<![if !supportLists]>` markers. Turn runs of such paragraphs into real lists before sanitizing.
 */
function wordListsToHtmlLists(html: string): string {
  const runs = /(?:<p\b[^>]*(?:class=["']?MsoListParagraph|mso-list:)[^>]*>[\s\S]*?<\/p>\s*)+/gi;
  return html.replace(runs, (run) => {
    // Split the run into lists: a new list starts at a *CxSpFirst paragraph or when the list id (lfoN) changes.
    const lists: { ordered: boolean; items: string[] }[] = [];
    let lastId: string | undefined;
    for (const p of run.match(LIST_PARAGRAPH) ?? []) {
      const id = /mso-list:\s*l\d+\s+level\d+\s+(lfo\d+)/i.exec(p)?.[1];
      if (!lists.length || /CxSpFirst/i.test(p) || (id && lastId && id !== lastId)) lists.push({ ordered: false, items: [] });
      lastId = id ?? lastId;
      const marker = /<!\[if !supportLists\]>([\s\S]*?)<!\[endif\]>/i.exec(p)?.[1] ?? '';
      const markerText = decodeBasicEntities(marker.replace(/<[^>]+>/g, '')).replace(/\s+/g, '');
      const list = lists[lists.length - 1];
      if (list.items.length === 0 && /^[0-9a-zA-Z]{1,3}[.)]$/.test(markerText)) list.ordered = true;
      const inner = p
        .replace(/^<p\b[^>]*>/i, '')
        .replace(/<\/p>$/i, '')
        .replace(/<!\[if !supportLists\]>[\s\S]*?<!\[endif\]>/gi, '');
      list.items.push(`<li>${inner}</li>`);
    }
    return lists.map((l) => `<${l.ordered ? 'ol' : 'ul'}>${l.items.join('')}</${l.ordered ? 'ol' : 'ul'}>`).join('');
  });
}

/**
 * Word/Outlook clipboard HTML → plain HTML: hidden conditional comments go first (they hold Word's
 * own copies of the content), then list paragraphs become lists, then the remaining markers go.
 */
export function cleanWordPaste(html: string): string {
  return wordListsToHtmlLists(html.replace(/<!--\[if[\s\S]*?<!\[endif\]-->/gi, ''))
    // downlevel-revealed conditionals (<![if …]>…<![endif]>) and Office's empty paragraph marks
    .replace(/<!\[if[^\]]*\]>|<!\[endif\]>/gi, '')
    .replace(/<\/?o:p>/gi, '');
}
