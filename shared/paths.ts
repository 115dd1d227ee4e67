// Client URLs that the server also writes (server-rendered pages, sitemap, feeds, the /p/:postId redirect): one definition.

/** /t/123/een-leesbare-titel — the slug is decoration; the id finds the thread. */
export function threadPath(thread: { id: string; title: string }): string {
  const slug = thread.title
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `/t/${thread.id}/${slug || 'onderwerp'}`;
}
