import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';

// post_search_candidates (migrations 0011, 0019, 0020) reads segments of 10,000 post ids, newest
// first: the newest 16 one at a time, older ones in spans that double. Posts with chosen ids put
// matches into ten segments without writing 100,000 rows; the same checks run again with a newer
// post far above them, so that the matches are read through the spans.
let t: TestApp;
let author: TestUser;
let other: TestUser;
const matchIds = [95_000, 85_000, 75_000, 65_000, 55_000, 45_000, 35_000, 25_000, 15_000, 5_000];

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'wmo');
  author = await signUp(t);
  other = await signUp(t);
  const thread = await startThread(author, 'wmo', { title: 'Segmenten', body: '<p>Openingsbericht</p>' });
  for (const id of matchIds) {
    const by = id === 45_000 ? other.id : author.id;
    await sql`insert into post (id, thread_id, author_id, body_html, body_text) overriding system value
              values (${id}, ${thread.id}, ${by}, '<p>Zorgmijding</p>', 'Zorgmijding komt voor')`.execute(t.db);
  }
  // A match that is not in the newest segments' neighbourhood of non-matches: noise in between.
  await sql`insert into post (id, thread_id, author_id, body_html, body_text) overriding system value
            select g, ${thread.id}, ${author.id}, '<p>Iets anders</p>', 'Iets anders' from generate_series(96000, 96100) g`.execute(t.db);
  // A second word only in older segments, written oldest first (heap order = oldest first).
  for (const id of [1_500, 10_000, 20_000, 30_000]) {
    await sql`insert into post (id, thread_id, author_id, body_html, body_text) overriding system value
              values (${id}, ${thread.id}, ${author.id}, '<p>Wachtlijst</p>', ${`De wachtlijst voor dagbesteding groeit (${id})`})`.execute(t.db);
  }
  await sql`update post set hidden_at = now() where id = 65000`.execute(t.db);
  await sql`select setval(pg_get_serial_sequence('post', 'id'), 200000)`.execute(t.db);
});
afterAll(async () => {
  await t.close();
});

// As the search calls it: the parsed query and its segment template (plein_parse_search, 0019).
const search = async (words: string, wanted: number, withHidden = false, byAuthor: string | null = null) =>
  (
    await sql<{ id: string }>`select c.id from plein_parse_search(${words}) q,
                              post_search_candidates(q.query, ${wanted}, ${withHidden}, ${byAuthor}::bigint, q.template) c`.execute(t.db)
  ).rows.map((r) => Number(r.id));
const candidates = (wanted: number, withHidden = false, byAuthor: string | null = null) => search('zorgmijding', wanted, withHidden, byAuthor);

describe('search candidates over id segments', () => {
  it('keeps one full-text index on posts: the one keyed by segment and word', async () => {
    const idx = await sql<{ relname: string }>`select c.relname from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am a on a.oid = c.relam
                                               where i.indrelid = 'post'::regclass and a.amname = 'gin'`.execute(t.db);
    expect(idx.rows.map((r) => r.relname)).toEqual(['post_search_lexeme_idx']);
  });

});

function readsNewestFirst(): void {
  it('takes the newest matches first also when the newest segments have none', async () => {
    expect(await search('wachtlijst', 2)).toEqual([30_000, 20_000]);
    expect(await search('wachtlijst dagbesteding', 3)).toEqual([30_000, 20_000, 10_000]);
  });

  it('keeps phrases, exclusions and OR exact', async () => {
    expect(await search('"wachtlijst voor dagbesteding"', 10)).toEqual([30_000, 20_000, 10_000, 1_500]);
    expect(await search('"dagbesteding voor wachtlijst"', 10)).toEqual([]);
    expect(await search('wachtlijst -"20000"', 10)).toEqual([30_000, 10_000, 1_500]);
    expect(await search('wachtlijst -"wachtlijst voor dagbesteding"', 10)).toEqual([]);
    expect(await search('wachtlijst -"dagbesteding voor wachtlijst"', 10)).toEqual([30_000, 20_000, 10_000, 1_500]);
    expect(await search('"dagbesteding groeit" or zorgmijding', 3)).toEqual([95_000, 85_000, 75_000]);
    expect((await search('wachtlijst or zorgmijding', 100)).length).toBe(13);
  });

  it('answers a query of stop words alone with nothing', async () => {
    expect(await search('de het een', 10)).toEqual([]);
  });

  it('takes the newest matches first', async () => {
    expect(await candidates(3)).toEqual([95_000, 85_000, 75_000]);
  });

  it('finds every match when fewer match than wanted', async () => {
    const all = await candidates(100);
    expect(all.sort((a, b) => b - a)).toEqual(matchIds.filter((id) => id !== 65_000));
  });

  it('leaves hidden posts out unless asked, and filters by author', async () => {
    expect(await candidates(100, true)).toContain(65_000);
    expect(await candidates(100, false, other.id)).toEqual([45_000]);
  });

}

describe('read one segment at a time', readsNewestFirst);

describe('read in spans, beyond the newest 16 segments', () => {
  beforeAll(async () => {
    // A newer post 40 segments up: segments 40–25 are walked one by one, the matches (9–0) in spans.
    await sql`insert into post (id, thread_id, author_id, body_html, body_text) overriding system value
              select 400000, thread_id, author_id, '<p>Nieuwer</p>', 'Nieuwer bericht' from post where id = 95000`.execute(t.db);
  });
  readsNewestFirst();
  it('never returns a deleted post', async () => {
    await sql`update post set deleted_at = now() where id = 95000`.execute(t.db);
    expect(await candidates(2)).toEqual([85_000, 75_000]);
  });
});
