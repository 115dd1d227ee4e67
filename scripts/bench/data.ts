import { sql } from 'kysely';
import type { Db } from '../../server/db';

export interface DataSize {
  users: number;
  threads: number;
  posts: number;
}

// Dutch words of the sociaal domein, so that search benchmarks hit real terms.
export const WORDS = (
  'gemeente wijkteam jeugdhulp schuldhulpverlening participatie mantelzorg keukentafelgesprek maatwerkvoorziening ' +
  'samenwerkingsverband ambtenaar inwoner cliënt vroegsignalering armoede bestaanszekerheid huisarts regie ' +
  'beleidsadviseur ervaringsdeskundige jeugdbescherming wachtlijst dagbesteding beschermd wonen uitkering ' +
  're-integratie werkgever taalachterstand zorgaanbieder inkoop contractmanagement toegang integraal privacy ' +
  'gegevensdeling handreiking evaluatie monitor pilot subsidie vrijwilliger buurthuis ouderen eenzaamheid ' +
  'preventie gezin school leerplicht thuiszorg huishoudelijke ondersteuning hulpmiddelen vervoer woningcorporatie'
).split(/\s+/);

/**
 * Fills an empty, migrated database with `size` in a few set-based statements (no row-by-row
 * inserts): users, five channels, threads spread over them, and posts spread over the threads.
 */
export async function generate(db: Db, size: DataSize, log: (m: string) => void): Promise<void> {
  const words = sql.raw(`array[${WORDS.map((w) => `'${w}'`).join(',')}]`);
  const t0 = Date.now();
  await sql`
    insert into "user" (email, display_name, job_title, organisation, role, password_hash)
    select 'bench' || i || '@bench.example', 'Deelnemer ' || i, 'Beleidsadviseur', 'Gemeente ' || (i % 300), case when i <= 50 then 'expert' else 'member' end,
           '$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hzYWx0YmVuY2g$Gd0dFqdDsB2NQk5vdo1rTQZk7YYY6ycJt0n1mJkqG9s'
    from generate_series(1, ${size.users}) i`.execute(db);
  await sql`
    insert into channel (slug, name, description, posting_policy, position)
    values ('landelijk', 'Landelijk', '', 'experts_ask', 0), ('jeugd', 'Jeugd', '', 'open', 1), ('wmo', 'Wmo', '', 'open', 2),
           ('participatie', 'Participatie', '', 'open', 3), ('armoede-en-schulden', 'Armoede en schulden', '', 'open', 4)`.execute(db);
  log(`users and channels in ${Date.now() - t0} ms`);
  const perThread = Math.max(1, Math.floor(size.posts / size.threads));
  await sql`
    insert into thread (channel_id, author_id, title, kind, pinned, reply_count, last_activity_at, created_at)
    select (select id from channel order by id offset (i % 5) limit 1),
           (select min(id) from "user") + (i % ${size.users}),
           'Vraag ' || i || ' over ' || (${words})[1 + (i * 7) % ${WORDS.length}] || ' en ' || (${words})[1 + (i * 13) % ${WORDS.length}],
           case when i % 3 = 0 then 'discussion' else 'question' end,
           i % 997 = 0,
           ${perThread - 1},
           now() - (i || ' minutes')::interval,
           now() - (i || ' minutes')::interval - interval '1 day'
    from generate_series(1, ${size.threads}) i`.execute(db);
  log(`threads in ${Date.now() - t0} ms`);
  // Posts: the n-th post of thread t is the opening post when n = 0.
  await sql`
    insert into post (thread_id, author_id, is_opening, body_html, body_text, created_at)
    select t.id,
           (select min(id) from "user") + ((t.id * 31 + n) % ${size.users}),
           n = 0,
           '<p>' || txt || '</p>',
           txt,
           t.created_at + (n || ' minutes')::interval
    from thread t
    cross join generate_series(0, ${perThread - 1}) n
    cross join lateral (
      select 'Bij ons in de ' || (${words})[1 + ((t.id + n) * 3) % ${WORDS.length}] || ' werkt de ' ||
             (${words})[1 + ((t.id + n) * 5) % ${WORDS.length}] || ' samen met de ' || (${words})[1 + ((t.id + n) * 11) % ${WORDS.length}] ||
             '. Onze ervaring met ' || (${words})[1 + ((t.id * n) % ${WORDS.length})] || ' is dat het tijd kost.' as txt
    ) body`.execute(db);
  log(`posts in ${Date.now() - t0} ms`);
  await sql`update thread t set first_post_id = p.id from post p where p.thread_id = t.id and p.is_opening`.execute(db);
  await sql`update channel c set thread_count = (select count(*) from thread t where t.channel_id = c.id), last_activity_at = now()`.execute(db);
  // What autovacuum would have done to a live database: hint bits and the visibility map set, so the
  // first section does not pay for the bulk load.
  await sql`vacuum analyze`.execute(db);
  log(`data set ready in ${Date.now() - t0} ms`);
}
