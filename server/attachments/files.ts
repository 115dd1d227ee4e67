import { open } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';

/** What may be uploaded, decided from the bytes. */
const ALLOWED: Record<string, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/**
 * The real content type of an upload, or null when it is not allowed. Plain text and CSV have no
 * magic number: they pass only as valid UTF-8 without NULs that does not look like markup.
 */
export async function sniffContentType(file: string, filename: string): Promise<string | null> {
  const detected = await fileTypeFromFile(file);
  if (detected) return ALLOWED[detected.ext] ?? null;
  const ext = filename.toLowerCase().split('.').pop();
  if (ext !== 'txt' && ext !== 'csv') return null;
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (head.includes(0)) return null;
    const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
    // A replacement character in the middle means invalid UTF-8 (a cut-off last character is fine).
    if (text.slice(0, -4).includes('\uFFFD')) return null;
    if (/^\s*<(?:!doctype|html|svg|\?xml|script|body|head)/i.test(text.replace(/^\uFEFF/, ''))) return null;
    return ext === 'csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8';
  } finally {
    await handle.close();
  }
}

/**
 * A safe display name: no path, no control characters, no bidirectional overrides (which can make
 * "exe.pdf" read as "fdp.exe"), Dutch accents kept, at most 150 characters with the extension kept.
 */
export function safeFilename(raw: string): string {
  let name = raw.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  name = name.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '');
  name = name.replace(/^[.\s]+|[.\s]+$/g, '').replace(/\s+/g, ' ');
  if (!name) name = 'bestand';
  if (name.length > 150) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = name.slice(0, 150 - ext.length) + ext;
  }
  return name;
}

/** RFC 6266 / 5987: an ASCII fallback plus the UTF-8 name. */
export function contentDisposition(filename: string): string {
  const ascii = filename.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
