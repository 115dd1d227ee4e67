// Answers that are the same for every anonymous reader (a thread page, a channel's list), kept in
// memory per instance and bounded in bytes. Every entry belongs to groups named like the event topics
// whose events change it (`thread:42`, `channel:jeugd`); the instance drops a group when it applies
// such an event from the shared log, so all instances agree without talking to each other.
//
// The rule that keeps it true: an answer is never older than the last event this instance applied.
// A load that overlaps the application of an event for one of its groups is answered but not kept,
// and a request never joins a load that started before an invalidation.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';

export interface CachedPage<T = unknown> {
  /** The answer as a value (signed-in readers get their own parts merged into a copy of it). */
  readonly value: T;
  /** The answer serialised once: what every anonymous reader gets. */
  readonly body: string;
  /** `"<event watermark>-<hash of body>"`: the same on every instance for the same content. */
  etag: string;
  /** The event watermark of the snapshot it was read from. */
  watermark: string;
  /** The body gzip-compressed once, for the clients that accept it (every browser): absent on personalised copies. */
  gzip?: Buffer;
}

/**
 * What the cache keeps of a page: its gzip bytes alone (a tenth of the JSON, so ten times the pages
 * in the same memory). The JSON and the value are made from them when a reader needs them; the
 * values of the pages signed-in readers read are kept beside, in a smaller bound of their own.
 */
interface Entry {
  gzip: Buffer;
  etag: string;
  watermark: string;
  groups: string[];
}

export interface Loaded<T> {
  value: T;
  /** The event watermark of the snapshot the value was read from. */
  watermark: string;
  /** Groups known only from the answer (the threads a channel list shows). */
  groups?: string[];
}

export interface PageCacheStats {
  hits: number;
  misses: number;
  /** Loads answered but not kept: an event of theirs was applied meanwhile. */
  discarded: number;
  invalidations: number;
  entries: number;
  bytes: number;
}

/** Kept at most this long: author names and photos change without an event of the page's topic. */
const MAX_AGE_MS = 5 * 60 * 1000;

export const etagOf = (watermark: string, body: string): string =>
  `"${watermark}-${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`;

/** The ETag of the gzip-encoded representation (another representation: another tag). */
export const gzipEtag = (etag: string): string => `${etag.slice(0, -1)}-gz"`;

/** Does an If-None-Match header name this ETag or its gzip variant (weak or strong, in a list, or `*`)? */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const gz = gzipEtag(etag);
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === etag || t === gz;
  });
}

/** A page as the cache answers it: the JSON and the value are unpacked only when read. */
function answer<T>(entry: Entry, hit: boolean, parse: () => T, known?: { body: string; value: T }): CachedPage<T> & { hit: boolean } {
  let body = known?.body;
  let value = known?.value;
  return {
    etag: entry.etag,
    watermark: entry.watermark,
    gzip: entry.gzip,
    hit,
    get body() {
      body ??= gunzipSync(entry.gzip).toString('utf8');
      return body;
    },
    get value() {
      value ??= parse();
      return value as T;
    },
  };
}

export class PageCache {
  private readonly entries: LRUCache<string, Entry> | null;
  /** Values of kept pages that signed-in readers asked for (parsed once, merged into per reader). */
  private readonly values: LRUCache<Entry, object> | null;
  /** group → keys of the entries in it. */
  private readonly members = new Map<string, Set<string>>();
  /** group → sequence number of its last invalidation (bounded: only groups that had events). */
  private readonly invalidatedAt = new LRUCache<string, number>({ max: 100_000 });
  private sequence = 0;
  /** Sequence number of the last clear(): a load that started before it is not kept. */
  private clearedAt = 0;
  private readonly flights = new Map<string, { startedAt: number; promise: Promise<{ entry: Entry; body: string; value: unknown }> }>();
  private readonly counts = { hits: 0, misses: 0, discarded: 0, invalidations: 0 };

  constructor(maxBytes: number) {
    this.entries =
      maxBytes > 0
        ? new LRUCache<string, Entry>({
            // Three quarters for the pages themselves, a quarter for the values signed-in readers use.
            maxSize: Math.max(1, Math.floor(maxBytes * 0.75)),
            // The compressed bytes, the key and the groups.
            sizeCalculation: (e) => e.gzip.length + 200 + e.groups.length * 40,
            ttl: MAX_AGE_MS,
            dispose: (entry, key) => this.forget(key, entry),
          })
        : null;
    this.values =
      maxBytes > 0
        ? new LRUCache<Entry, object>({
            maxSize: Math.max(1, Math.floor(maxBytes * 0.25)),
            // A value in V8 takes about twice its JSON: an estimate from the compressed size would be
            // too rough, so the JSON's length is kept with it.
            sizeCalculation: (v) => Math.max(1, (v as { size: number }).size * 2),
          })
        : null;
  }

  get stats(): PageCacheStats {
    return { ...this.counts, entries: this.entries?.size ?? 0, bytes: (this.entries?.calculatedSize ?? 0) + (this.values?.calculatedSize ?? 0) };
  }

  /** The value of a kept page, parsed once and kept while there is room. */
  private parsedValue<T>(key: string, entry: Entry): T {
    const kept = this.values?.get(entry) as { size: number; value: T } | undefined;
    if (kept) return kept.value;
    const body = gunzipSync(entry.gzip).toString('utf8');
    const value = JSON.parse(body) as T;
    // Only while the page is still kept: a dropped page's value would outlive it.
    if (this.entries?.peek(key) === entry) this.values?.set(entry, { size: body.length, value });
    return value;
  }

  /**
   * The cached answer for `key`, or the one `load` reads now (kept when no event of its groups was
   * applied while it read). `hit` says which.
   */
  async get<T>(key: string, groups: string[], load: () => Promise<Loaded<T>>): Promise<CachedPage<T> & { hit: boolean }> {
    const cached = this.entries?.get(key);
    if (cached) {
      this.counts.hits++;
      return answer<T>(cached, true, () => this.parsedValue<T>(key, cached));
    }
    this.counts.misses++;
    const flight = this.flights.get(key);
    // Joining a load is only safe when none of its groups was invalidated since it started: checked
    // for the groups named now, and again, when it is done, for those the answer adds (a channel
    // list's threads). Popular pages are read by many at once while other threads change all the time.
    if (flight && this.unchangedSince(flight.startedAt, groups)) {
      const loaded = await flight.promise;
      // A group the answer added may have been invalidated before this request joined (only the last
      // invalidation of a group is known: one after joining may hide an earlier one, so any counts).
      const added = loaded.entry.groups.filter((g) => !groups.includes(g));
      if (added.every((g) => (this.invalidatedAt.get(g) ?? 0) <= flight.startedAt)) {
        return answer<T>(loaded.entry, false, () => loaded.value as T, { body: loaded.body, value: loaded.value as T });
      }
    }
    const startedAt = this.sequence;
    const promise = (async () => {
      const loaded = await load();
      const body = JSON.stringify(loaded.value);
      const entry: Entry = { gzip: gzipSync(body), etag: etagOf(loaded.watermark, body), watermark: loaded.watermark, groups: [...groups, ...(loaded.groups ?? [])] };
      if (this.entries && this.unchangedSince(startedAt, entry.groups)) {
        this.entries.set(key, entry);
        for (const g of entry.groups) {
          const set = this.members.get(g) ?? new Set<string>();
          set.add(key);
          this.members.set(g, set);
        }
      } else if (this.entries) this.counts.discarded++;
      return { entry, body, value: loaded.value as unknown };
    })();
    this.flights.set(key, { startedAt, promise });
    try {
      const loaded = await promise;
      return answer<T>(loaded.entry, false, () => loaded.value as T, { body: loaded.body, value: loaded.value as T });
    } finally {
      if (this.flights.get(key)?.promise === promise) this.flights.delete(key);
    }
  }

  /** No clear() and no invalidation of these groups after `sequence`. */
  private unchangedSince(sequence: number, groups: string[]): boolean {
    return this.clearedAt <= sequence && groups.every((g) => (this.invalidatedAt.get(g) ?? 0) <= sequence);
  }

  /** Drops every entry of `group` (an event of that topic was applied). */
  invalidate(group: string): void {
    this.sequence++;
    this.counts.invalidations++;
    this.invalidatedAt.set(group, this.sequence);
    const keys = this.members.get(group);
    if (!keys) return;
    for (const key of [...keys]) this.entries?.delete(key);
  }

  clear(): void {
    this.sequence++;
    this.clearedAt = this.sequence;
    this.entries?.clear();
    this.values?.clear();
    this.members.clear();
  }

  private forget(key: string, entry: Entry): void {
    this.values?.delete(entry);
    for (const g of entry.groups) {
      const set = this.members.get(g);
      if (!set) continue;
      set.delete(key);
      if (set.size === 0) this.members.delete(g);
    }
  }
}

/** A page read for one reader alone (never kept), in the cached pages' shape: body, ETag, watermark. */
export function uncachedPage<P>(value: P, watermark: string) {
  const body = JSON.stringify(value);
  return { value, body, etag: etagOf(watermark, body), watermark, hit: false };
}
