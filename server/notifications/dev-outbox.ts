// The development outbox: without SMTP_URL, mails are files under DATA_DIR/mail-outbox. On a laptop
// trial (localhost PUBLIC_URL) /_dev/mail lists them, so a verification link can be clicked.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { escapeHtml as esc } from '../content/escape';

export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  date: string;
}

/** The newest `limit` mails of the development outbox, newest first. */
export async function readDevOutbox(dataDir: string, limit = 50): Promise<OutboxMail[]> {
  const dir = path.join(dataDir, 'mail-outbox');
  const names = await readdir(dir).catch(() => [] as string[]);
  const newest = names.filter((n) => n.endsWith('.json')).sort().reverse().slice(0, limit);
  const mails = await Promise.all(newest.map(async (n) => JSON.parse(await readFile(path.join(dir, n), 'utf8')) as OutboxMail));
  return mails;
}

const linkify = (text: string) => esc(text).replace(/https?:\/\/[^\s<]+/g, (href) => `<a href="${href}">${href}</a>`);

const devMail: FastifyPluginAsync = async (app) => {
  if (!app.config.devMailPage) return;
  app.get('/_dev/mail', { schema: { hide: true } }, async (_request, reply) => {
    const mails = await readDevOutbox(app.config.dataDir);
    const items = mails
      .map((m) => `<article><h2>${esc(m.subject)}</h2><p>Aan: ${esc(m.to)} · ${esc(new Date(m.date).toLocaleString('nl-NL'))}</p><pre style="white-space:pre-wrap">${linkify(m.text)}</pre></article>`)
      .join('<hr>');
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        `<!doctype html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Verzonden mail (ontwikkeling) · Plein</title></head><body style="font-family:sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem"><main><h1>Verzonden mail (ontwikkeling)</h1><p>Plein heeft geen mailserver (SMTP_URL) en draait op dit apparaat: hier staan de mails die het zou versturen, nieuwste eerst.</p>${items || '<p>Nog geen mail.</p>'}</main></body></html>`,
      );
  });
};

export default devMail;
