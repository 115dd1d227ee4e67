import { createReadStream } from 'node:fs';
import { fileTypeFromFile } from 'file-type';
import yauzl from 'yauzl';

/** Zip-based documents: the part that must be in the archive for it to be what it says it is. */
const ooxml = (dir: string) => (n: Set<string>) => n.has('[Content_Types].xml') && [...n].some((x) => x.startsWith(dir) && x.endsWith('.xml'));
const odf = (n: Set<string>) => n.has('mimetype') && n.has('content.xml');

interface FileType {
  contentType: string;
  /** Further file name extensions of the type (the key is the one we add). */
  aliases?: string[];
  /** Zip-based document: does the archive hold the type's main part? */
  zip?: (names: Set<string>) => boolean;
  /** No magic number: allowed by its name and checked as plain text (isPlainText). */
  text?: true;
}

/** What may be uploaded, keyed by file-type's extension for the bytes (the name's, for plain text). */
const TYPES: Record<string, FileType> = {
  pdf: { contentType: 'application/pdf' },
  docx: { contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', zip: ooxml('word/') },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', zip: ooxml('xl/') },
  pptx: { contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', zip: ooxml('ppt/') },
  odt: { contentType: 'application/vnd.oasis.opendocument.text', zip: odf },
  ods: { contentType: 'application/vnd.oasis.opendocument.spreadsheet', zip: odf },
  odp: { contentType: 'application/vnd.oasis.opendocument.presentation', zip: odf },
  png: { contentType: 'image/png' },
  jpg: { contentType: 'image/jpeg', aliases: ['jpeg', 'jpe', 'jfif'] },
  gif: { contentType: 'image/gif' },
  webp: { contentType: 'image/webp' },
  txt: { contentType: 'text/plain; charset=utf-8', text: true },
  csv: { contentType: 'text/csv; charset=utf-8', text: true },
};
const typeOf = (ext: string): FileType | undefined => (Object.hasOwn(TYPES, ext) ? TYPES[ext] : undefined);
/** Every file name extension of an allowed type. */
const KNOWN_EXTENSIONS = new Set(Object.entries(TYPES).flatMap(([ext, type]) => [ext, ...(type.aliases ?? [])]));

/** Office extensions a name can claim; a document must then really be that kind of document. */
const OFFICE_EXTENSIONS = new Set(['docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'docm', 'xlsm', 'pptm', 'doc', 'xls', 'ppt']);

/** Limits for a zip-based document, checked by inflating it (declared sizes are not trusted). */
const ZIP_MAX_ENTRIES = 10_000;
const ZIP_MAX_UNCOMPRESSED = 256 * 1024 * 1024;
const ZIP_MAX_RATIO = 1000;
const ZIP_MAX_MS = 20_000;

export interface Sniffed {
  contentType: string;
  /** The canonical extension for the type (pdf, docx, png, txt…). */
  ext: string;
}

const extOf = (filename: string): string | null => {
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : null;
};

/** Parts that carry macros: VBA in OOXML (vbaProject.bin), Basic and scripts in OpenDocument. */
const isMacroPart = (name: string) => /(^|\/)vbaProject\.bin$/i.test(name) || /(^|\/)vbaData\.xml$/i.test(name) || /^(Basic|Scripts)\//.test(name);

type ZipVerdict = { names: Set<string> } | 'malformed' | 'bomb' | 'macros';

/**
 * Inflates every entry of a ZIP as a stream, counting the real bytes (yauzl also refuses an entry
 * that inflates to more than it declares), and returns the entry names, or why it is refused: not a
 * well-formed archive, shaped like a zip bomb (too many entries, more than 256 MiB unpacked, an entry
 * that unpacks more than 1000×, or taking too long), or carrying macros.
 */
function inspectZip(file: string): Promise<ZipVerdict> {
  return new Promise((resolve) => {
    let settled = false;
    let zip: yauzl.ZipFile | null = null;
    const finish = (verdict: ZipVerdict) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      zip?.close();
      resolve(verdict);
    };
    const timer = setTimeout(() => finish('bomb'), ZIP_MAX_MS);
    const names = new Set<string>();
    let total = 0;
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: true }, (err, opened) => {
      if (err || !opened) return finish('malformed');
      zip = opened;
      if (opened.entryCount > ZIP_MAX_ENTRIES) return finish('bomb');
      opened.on('error', () => finish('malformed'));
      opened.on('end', () => finish({ names }));
      opened.on('entry', (entry: yauzl.Entry) => {
        if (settled) return;
        names.add(entry.fileName);
        if (isMacroPart(entry.fileName)) return finish('macros');
        if (entry.fileName.endsWith('/')) return opened.readEntry();
        opened.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) return finish('malformed');
          let inflated = 0;
          stream.on('data', (chunk: Buffer) => {
            inflated += chunk.length;
            total += chunk.length;
            const ratio = inflated / Math.max(entry.compressedSize, 1);
            if (total > ZIP_MAX_UNCOMPRESSED || (inflated > 1024 * 1024 && ratio > ZIP_MAX_RATIO)) {
              stream.destroy();
              finish('bomb');
            }
          });
          stream.on('error', () => finish('bomb'));
          stream.on('end', () => {
            if (!settled) opened.readEntry();
          });
        });
      });
      opened.readEntry();
    });
  });
}

/** Valid UTF-8 without NULs that does not look like markup (HTML, SVG, XML): the whole file is read. */
async function isPlainText(file: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let head = '';
  let carry = ''; // the end of the previous chunk, so a tag split over two chunks is still seen
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
      if (chunk.includes(0)) return false;
      const text = carry + decoder.decode(chunk, { stream: true });
      if (head.length < 4096) head += text.slice(0, 4096 - head.length);
      if (/<\s*(?:script|html|svg|iframe|object|embed|body|head|meta|!doctype|\?xml|xml)\b/i.test(text)) return false;
      carry = text.slice(-32);
    }
    decoder.decode();
  } catch {
    return false; // invalid UTF-8
  }
  return !/^\s*</.test(head.replace(/^\uFEFF/, ''));
}

/**
 * The real content type of an upload, or null when it is not allowed. Plain text and CSV have no
 * magic number: they pass only as valid UTF-8 without NULs that does not look like markup, with a
 * .txt/.csv name. Zip-based documents must contain their main part, must inflate within bounds and
 * carry no macros ('macros'), and a name that claims an office format must match what the bytes are.
 */
export async function sniffContentType(file: string, filename: string): Promise<Sniffed | 'macros' | null> {
  let detected: { ext: string } | undefined;
  try {
    detected = await fileTypeFromFile(file);
  } catch {
    return null; // malformed beyond what file-type accepts (e.g. over its zip probing limits)
  }
  const claimed = extOf(filename);
  if (detected) {
    const type = typeOf(detected.ext);
    if (!type || type.text) return null;
    if (type.zip) {
      const verdict = await inspectZip(file);
      if (verdict === 'macros') return 'macros';
      if (typeof verdict === 'string' || !type.zip(verdict.names)) return null;
      if (claimed && OFFICE_EXTENSIONS.has(claimed) && claimed !== detected.ext) return null;
    }
    return { contentType: type.contentType, ext: detected.ext };
  }
  const type = claimed ? typeOf(claimed) : undefined;
  if (!type?.text || !(await isPlainText(file))) return null;
  return { contentType: type.contentType, ext: claimed! };
}

const MAX_NAME = 150;

/**
 * A safe display name: no path, no control characters, no bidirectional overrides (which can make
 * "exe.pdf" read as "fdp.exe"), Dutch accents kept, at most 150 characters with the extension kept.
 */
export function safeFilename(raw: string): string {
  let name = raw.split(/[/\\]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here (they are stripped or refused)
  name = name.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g, '');
  name = name.replace(/[<>:"|?*]/g, '_'); // characters Windows refuses in file names
  name = name.replace(/^[.\s]+|[.\s]+$/g, '').replace(/\s+/g, ' ');
  if (!name) name = 'bestand';
  return limitLength(name);
}

function limitLength(name: string): string {
  const chars = [...name]; // by code point: never split a surrogate pair
  if (chars.length <= MAX_NAME) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
  return chars.slice(0, MAX_NAME - [...ext].length).join('').trimEnd() + ext;
}

/**
 * The name as it is stored and offered for download: its extension matches the sniffed type. A
 * known extension of another allowed type is replaced (foto.jpg that is a PNG → foto.png); any other
 * extension gets the right one appended (rapport.exe that is a PDF → rapport.exe.pdf); a name
 * without an extension is kept.
 */
export function nameForType(filename: string, sniffed: Sniffed): string {
  const ext = extOf(filename);
  if (!ext) return filename;
  if (ext === sniffed.ext || typeOf(sniffed.ext)?.aliases?.includes(ext)) return filename;
  const base = KNOWN_EXTENSIONS.has(ext) ? filename.slice(0, filename.lastIndexOf('.')) : filename;
  return limitLength(`${base}.${sniffed.ext}`);
}

/** RFC 6266 / 5987: an ASCII fallback plus the UTF-8 name. */
export function contentDisposition(filename: string): string {
  const ascii = filename.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
