// Runs in a worker thread with a memory limit, ended by its parent after a time limit: the text of
// one handout. Plain JavaScript so it runs the same under node, tsx and vitest without a loader.
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import sax from 'sax';
import yauzl from 'yauzl';

/** @type {{ file: string, kind: 'pdf'|'docx'|'xlsx'|'pptx'|'odf', maxPages: number, maxChars: number }} */
const job = workerData;

class Collector {
  constructor(maxChars) {
    this.parts = [];
    this.length = 0;
    this.maxChars = maxChars;
  }
  get full() {
    return this.length >= this.maxChars;
  }
  add(text) {
    if (this.full || !text) return;
    const piece = text.slice(0, this.maxChars - this.length);
    this.parts.push(piece);
    this.length += piece.length;
  }
  text() {
    return this.parts.join('');
  }
}

async function pdfText() {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const data = new Uint8Array(await readFile(job.file));
  const doc = await pdfjs.getDocument({ data, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0, stopAtErrors: false }).promise;
  const out = new Collector(job.maxChars);
  const pages = Math.min(doc.numPages, job.maxPages);
  for (let i = 1; i <= pages && !out.full; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    for (const item of content.items) if ('str' in item) out.add(item.str + (item.hasEOL ? '\n' : ''));
    out.add('\n');
    page.cleanup();
  }
  await doc.destroy();
  return { text: out.text(), pages: doc.numPages, truncated: doc.numPages > pages };
}

async function docxText() {
  const mammoth = (await import('mammoth')).default;
  const result = await mammoth.extractRawText({ path: job.file });
  return { text: result.value.slice(0, job.maxChars), pages: null, truncated: result.value.length > job.maxChars };
}

/** The zip's entries whose names `wanted` accepts, in the order `order` gives, as buffers. */
function zipEntries(wanted) {
  return new Promise((resolve, reject) => {
    yauzl.open(job.file, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('not a zip file'));
      const found = new Map();
      zip.on('error', reject);
      zip.on('end', () => resolve(found));
      zip.on('entry', (entry) => {
        if (!wanted(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('unreadable entry'));
          const chunks = [];
          stream.on('data', (c) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            found.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * Text of an XML part: the text of `textElements` (all when null), a line break after each of
 * `breakElements` and a tab after each of `cellElements`.
 */
function xmlText(xml, out, { textElements = null, breakElements = [], cellElements = [] }) {
  const parser = sax.parser(true, { trim: false, normalize: false });
  const stack = [];
  parser.onopentag = (node) => stack.push(node.name);
  parser.onclosetag = (name) => {
    stack.pop();
    if (breakElements.includes(name)) out.add('\n');
    else if (cellElements.includes(name)) out.add('\t');
  };
  parser.ontext = (t) => {
    if (textElements === null || textElements.includes(stack[stack.length - 1])) out.add(t);
  };
  parser.oncdata = parser.ontext;
  parser.onerror = (e) => {
    throw e;
  };
  parser.write(xml.toString('utf8')).close();
}

const numbered = (name) => Number(/(\d+)\.xml$/.exec(name)?.[1] ?? 0);

async function officeText() {
  const out = new Collector(job.maxChars);
  if (job.kind === 'xlsx') {
    const parts = await zipEntries((n) => n === 'xl/sharedStrings.xml' || /^xl\/worksheets\/sheet\d+\.xml$/.test(n));
    const shared = parts.get('xl/sharedStrings.xml');
    if (shared) xmlText(shared, out, { textElements: ['t'], breakElements: ['si'] });
    // Inline strings in the sheets (numbers and formulas say nothing to search).
    const sheets = [...parts.keys()].filter((n) => n.startsWith('xl/worksheets/')).sort((a, b) => numbered(a) - numbered(b));
    for (const name of sheets) xmlText(parts.get(name), out, { textElements: ['t'], breakElements: ['is'] });
    return { text: out.text(), pages: sheets.length, truncated: out.full };
  }
  if (job.kind === 'pptx') {
    const parts = await zipEntries((n) => /^ppt\/(slides\/slide|notesSlides\/notesSlide)\d+\.xml$/.test(n));
    const slides = [...parts.keys()].filter((n) => n.startsWith('ppt/slides/')).sort((a, b) => numbered(a) - numbered(b));
    const read = slides.slice(0, job.maxPages);
    for (const name of read) {
      xmlText(parts.get(name), out, { textElements: ['a:t'], breakElements: ['a:p'] });
      const notes = parts.get(`ppt/notesSlides/notesSlide${numbered(name)}.xml`);
      if (notes) xmlText(notes, out, { textElements: ['a:t'], breakElements: ['a:p'] });
      out.add('\n');
    }
    return { text: out.text(), pages: slides.length, truncated: slides.length > read.length || out.full };
  }
  // OpenDocument (text, spreadsheet, presentation): everything in content.xml is the document.
  const parts = await zipEntries((n) => n === 'content.xml');
  const content = parts.get('content.xml');
  if (!content) throw new Error('content.xml is missing');
  xmlText(content, out, { breakElements: ['text:p', 'text:h', 'table:table-row', 'draw:page'], cellElements: ['table:table-cell'] });
  return { text: out.text(), pages: null, truncated: out.full };
}

try {
  const result = job.kind === 'pdf' ? await pdfText() : job.kind === 'docx' ? await docxText() : await officeText();
  parentPort.postMessage({ ok: true, ...result });
} catch (err) {
  parentPort.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
}
