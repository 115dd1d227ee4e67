// Handout text for search: each PDF, Word, Excel, PowerPoint or OpenDocument attachment on a post
// gets its text extracted once per extractor version, in a worker thread bounded in time, memory
// and pages. A file that cannot be read is stored as 'failed' ("niet doorzoekbaar"); the sweep
// itself never fails because of a file.
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../../db';
import type { Storage } from '../../attachments/storage';

export type HandoutKind = 'pdf' | 'docx' | 'xlsx' | 'pptx' | 'odf';

const KIND_BY_TYPE: Record<string, HandoutKind> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odf',
  'application/vnd.oasis.opendocument.spreadsheet': 'odf',
  'application/vnd.oasis.opendocument.presentation': 'odf',
};
export const EXTRACTABLE_TYPES = Object.keys(KIND_BY_TYPE);

export interface ExtractLimits {
  /** Wall-clock time for one file; the worker is ended after it. */
  timeoutMs: number;
  /** Heap for the worker (V8 old generation), in MB; beyond it the worker dies, not the server. */
  memoryMb: number;
  /** PDF pages and slides read; the rest of a longer document is not searchable. */
  maxPages: number;
  /** Characters of text kept. */
  maxChars: number;
}

const require = createRequire(import.meta.url);
const versionOf = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;
/**
 * Stored with each text: when an extractor (or this code's reading of it, the first part) changes,
 * every handout is extracted again.
 */
export const EXTRACTOR_VERSION = `plein-1 pdfjs-dist@${versionOf('pdfjs-dist')} mammoth@${versionOf('mammoth')} sax@${versionOf('sax')} yauzl@${versionOf('yauzl')}`;

export type Extracted = { ok: true; text: string; pages: number | null; truncated: boolean } | { ok: false; error: string };

const WORKER = new URL('./extract-worker.mjs', import.meta.url);

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed here
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** The text of one file of `contentType`, bounded by `limits`; never throws for a bad file. */
export function extractText(file: string, contentType: string, limits: ExtractLimits): Promise<Extracted> {
  const kind = KIND_BY_TYPE[contentType];
  if (!kind) return Promise.resolve({ ok: false, error: `no extractor for ${contentType}` });
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: Extracted) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      // Control characters would break the snippet sentinels and mean nothing to a reader.
      resolve(result.ok ? { ...result, text: result.text.replace(CONTROL, ' ') } : result);
    };
    const worker = new Worker(WORKER, {
      workerData: { file, kind, maxPages: limits.maxPages, maxChars: limits.maxChars },
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, limits.memoryMb / 8)), stackSizeMb: 4 },
      stdout: true,
      stderr: true,
    });
    // pdf.js warns on stdout about fonts and broken objects: read and dropped, never left to pile up.
    worker.stdout?.resume();
    worker.stderr?.resume();
    const timer = setTimeout(() => done({ ok: false, error: `took longer than ${limits.timeoutMs} ms` }), limits.timeoutMs);
    worker.on('message', (m: Extracted) => done(m));
    worker.on('error', (err) => done({ ok: false, error: (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? `needed more than ${limits.memoryMb} MB` : err.message }));
    worker.on('exit', (code) => done({ ok: false, error: `extractor stopped (exit ${code})` }));
  });
}

/** Attachments on posts whose text is missing or from another extractor version, oldest first. */
async function pending(db: Db, batch: number) {
  return db
    .selectFrom('attachment as a')
    .leftJoin('attachment_text as x', 'x.attachment_id', 'a.id')
    .select(['a.id', 'a.storage_key', 'a.content_type', 'a.filename'])
    .where('a.post_id', 'is not', null)
    .where('a.content_type', 'in', EXTRACTABLE_TYPES)
    .where((eb) => eb.or([eb('x.attachment_id', 'is', null), eb('x.extractor_version', '<>', EXTRACTOR_VERSION)]))
    .orderBy('a.id')
    .limit(batch)
    .execute();
}

/**
 * Extracts the text of the handouts that need it (at most `maxPerRun`), `batch` at a time, and
 * returns how many it stored. Safe on several instances at once (an attachment is claimed with a transaction-level
 * advisory lock while its text is stored; extracting twice does no harm).
 */
export async function extractPendingHandouts(db: Db, storage: Storage, limits: ExtractLimits, log: FastifyBaseLogger, batch = 20, maxPerRun = 200): Promise<number> {
  let stored = 0;
  const tried = new Set<string>();
  // A bounded run (after an extractor upgrade thousands may be due): the next tick goes on.
  while (stored < maxPerRun) {
    const rows = (await pending(db, batch)).filter((r) => !tried.has(r.id));
    if (rows.length === 0) return stored;
    for (const row of rows) {
      tried.add(row.id);
      const temp = path.join(storage.tempDir, `extract-${randomBytes(8).toString('hex')}`);
      let result: Extracted;
      try {
        // A storage failure is not the file's fault: it throws, and the job is retried.
        await pipeline(await storage.get(row.storage_key), createWriteStream(temp));
        const started = Date.now();
        result = await extractText(temp, row.content_type, limits);
        log.info({ attachment: row.id, ok: result.ok, ms: Date.now() - started, ...(result.ok ? { chars: result.text.length, pages: result.pages } : { error: result.error }) }, 'handout text extracted');
      } finally {
        await fs.rm(temp, { force: true });
      }
      await db
        .insertInto('attachment_text')
        .values({
          attachment_id: row.id,
          status: result.ok ? 'done' : 'failed',
          extractor_version: EXTRACTOR_VERSION,
          body: result.ok ? result.text : '',
          pages: result.ok ? result.pages : null,
          error: result.ok ? null : result.error.slice(0, 500),
        })
        .onConflict((oc) =>
          oc.column('attachment_id').doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            extractor_version: eb.ref('excluded.extractor_version'),
            body: eb.ref('excluded.body'),
            pages: eb.ref('excluded.pages'),
            error: eb.ref('excluded.error'),
            extracted_at: sql`now()`,
          })),
        )
        .execute()
        // The attachment may have been removed while it was read (foreign key violation).
        .catch((err: Error & { code?: string }) => {
          if (err.code !== '23503') throw err;
        });
      stored++;
    }
  }
  return stored;
}

/** Whether each attachment's text is searchable: true, false ("niet doorzoekbaar") or null (not yet, or not a document). */
export async function searchableStates(db: Db, attachmentIds: string[]): Promise<Map<string, boolean>> {
  if (attachmentIds.length === 0) return new Map();
  const rows = await db.selectFrom('attachment_text').select(['attachment_id', 'status']).where('attachment_id', 'in', attachmentIds).execute();
  return new Map(rows.map((r) => [r.attachment_id, r.status === 'done']));
}
