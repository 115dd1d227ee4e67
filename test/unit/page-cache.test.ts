// The page cache's rule under concurrency: an answer is never older than the last applied event. A
// load that an invalidation of its groups overlaps is answered but not kept, and a request that
// arrives after an invalidation never joins a load that started before it.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PageCache, matchesEtag } from '../../server/page-cache/cache';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('PageCache', () => {
  it('keeps a load and answers the next read from memory; an invalidation of its group drops it', async () => {
    const cache = new PageCache(1024 * 1024);
    let loads = 0;
    const load = async () => ({ value: { n: ++loads }, watermark: '7' });
    expect((await cache.get('thread:1:50', ['thread:1'], load)).hit).toBe(false);
    const again = await cache.get('thread:1:50', ['thread:1'], load);
    expect(again).toMatchObject({ hit: true, value: { n: 1 }, body: '{"n":1}' });
    expect(again.etag).toMatch(/^"7-[\w-]{16}"$/);
    cache.invalidate('thread:2');
    expect((await cache.get('thread:1:50', ['thread:1'], load)).hit).toBe(true);
    cache.invalidate('thread:1');
    expect(await cache.get('thread:1:50', ['thread:1'], load)).toMatchObject({ hit: false, value: { n: 2 } });
  });

  it('does not keep a load that an invalidation of one of its groups overlapped (also a group known only from the answer)', async () => {
    const cache = new PageCache(1024 * 1024);
    const slow = deferred<{ value: string; watermark: string; groups: string[] }>();
    const pending = cache.get('channel:jeugd:50:', ['channel:jeugd'], () => slow.promise);
    cache.invalidate('thread:9'); // an event of a thread the list will show, applied while it reads
    slow.resolve({ value: 'old list', watermark: '1', groups: ['thread:9'] });
    expect((await pending).value).toBe('old list'); // answered: it was current when asked for
    const next = await cache.get('channel:jeugd:50:', ['channel:jeugd'], async () => ({ value: 'new list', watermark: '2' }));
    expect(next).toMatchObject({ hit: false, value: 'new list' });
    expect(cache.stats.discarded).toBe(1);
  });

  it('shares one load among concurrent misses, but not with a request that came after an invalidation', async () => {
    const cache = new PageCache(1024 * 1024);
    const first = deferred<{ value: string; watermark: string }>();
    let loads = 0;
    const a = cache.get('k', ['thread:1'], () => {
      loads++;
      return first.promise;
    });
    const b = cache.get('k', ['thread:1'], async () => {
      loads++;
      return { value: 'b', watermark: '1' };
    });
    cache.invalidate('thread:1');
    const c = cache.get('k', ['thread:1'], async () => {
      loads++;
      return { value: 'after the event', watermark: '2' };
    });
    first.resolve({ value: 'before the event', watermark: '1' });
    expect([(await a).value, (await b).value, (await c).value]).toEqual(['before the event', 'before the event', 'after the event']);
    expect(loads).toBe(2);
    expect((await cache.get('k', ['thread:1'], async () => ({ value: 'x', watermark: '3' }))).value).toBe('after the event');
  });

  it('lets a request join a load while other pages change, but not a list whose thread changed before it joined', async () => {
    const cache = new PageCache(1024 * 1024);
    const page = deferred<{ value: string; watermark: string }>();
    let loads = 0;
    const a = cache.get('thread:1:50', ['thread:1'], () => {
      loads++;
      return page.promise;
    });
    cache.invalidate('thread:2'); // another thread's reply: no reason to read thread 1 twice
    const b = cache.get('thread:1:50', ['thread:1'], async () => {
      loads++;
      return { value: 'second read', watermark: '2' };
    });
    page.resolve({ value: 'one read', watermark: '1' });
    expect([(await a).value, (await b).value, loads]).toEqual(['one read', 'one read', 1]);

    const list = deferred<{ value: string; watermark: string; groups: string[] }>();
    const first = cache.get('channel:jeugd:50:', ['channel:jeugd'], () => list.promise);
    cache.invalidate('thread:9'); // a thread the list shows (known only from the answer) changed
    const late = cache.get('channel:jeugd:50:', ['channel:jeugd'], async () => ({ value: 'list after the event', watermark: '3', groups: ['thread:9'] }));
    list.resolve({ value: 'list before the event', watermark: '2', groups: ['thread:9'] });
    expect([(await first).value, (await late).value]).toEqual(['list before the event', 'list after the event']);
  });

  it('stays within its byte bound, dropping the least recently used; with 0 bytes it keeps nothing', async () => {
    const cache = new PageCache(100_000);
    // Pages are kept compressed: random text compresses little (about 30 kB each of the 75 kB for pages).
    const big = randomBytes(30_000).toString('base64');
    for (const key of ['a', 'b', 'c']) await cache.get(key, [`thread:${key}`], async () => ({ value: big, watermark: '1' }));
    expect(cache.stats.bytes).toBeLessThanOrEqual(100_000);
    expect((await cache.get('a', ['thread:a'], async () => ({ value: big, watermark: '1' }))).hit).toBe(false);
    const off = new PageCache(0);
    await off.get('a', ['thread:a'], async () => ({ value: 1, watermark: '1' }));
    expect((await off.get('a', ['thread:a'], async () => ({ value: 1, watermark: '1' }))).hit).toBe(false);
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    expect(matchesEtag('"1-a", W/"7-abc"', '"7-abc"')).toBe(true);
    expect(matchesEtag('*', '"7-abc"')).toBe(true);
    expect(matchesEtag('"7-abd"', '"7-abc"')).toBe(false);
    expect(matchesEtag(undefined, '"7-abc"')).toBe(false);
  });
});
