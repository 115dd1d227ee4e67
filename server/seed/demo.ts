import { type Transaction, sql } from 'kysely';
import { displayNameSkeleton } from '../accounts/display-name';
import { hashPassword } from '../accounts/password';
import { sanitizeBody } from '../content/sanitize';
import type { Db } from '../db';
import type { Database, Role } from '../db/schema';

export interface DemoLogin {
  email: string;
  password: string;
  role: string;
  displayName: string;
}

export const DEMO_PASSWORD = 'plein-demo-2026';

// A fictional community: every person and organisation below is made up.
const PEOPLE: { key: string; name: string; email: string; role: Role; job: string; org: string; bio: string }[] = [
  { key: 'admin', name: 'Beheer Plein', email: 'beheer@plein.example', role: 'admin', job: 'Functioneel beheerder', org: 'Plein', bio: 'Ik beheer Plein en help als er iets niet werkt.' },
  { key: 'expert', name: 'Marieke van Dalen', email: 'marieke@plein.example', role: 'expert', job: 'Directeur Expertise Platform', org: 'Academie Sociaal Domein', bio: 'Ik verbind kennis uit de praktijk met beleid.' },
  { key: 'moderator', name: 'Youssef El Amrani', email: 'youssef@plein.example', role: 'moderator', job: 'Communitymanager', org: 'Academie Sociaal Domein', bio: 'Ik houd de kanalen overzichtelijk.' },
  { key: 'anne', name: 'Anne Hoekstra', email: 'anne@plein.example', role: 'member', job: 'Beleidsadviseur Wmo', org: 'Gemeente Heerenveen-Zuid', bio: '' },
  { key: 'sander', name: 'Sander de Wit', email: 'sander@plein.example', role: 'member', job: 'Teamleider sociaal wijkteam', org: 'Gemeente Rivierstad', bio: '' },
  { key: 'fatima', name: 'Fatima Bakkali', email: 'fatima@plein.example', role: 'member', job: 'Schuldhulpverlener', org: 'Stichting Geldzorg Oost', bio: '' },
  { key: 'joost', name: 'Joost Verbeek', email: 'joost@plein.example', role: 'member', job: 'Jeugdconsulent', org: 'Gemeente Lindewaard', bio: '' },
  { key: 'ilse', name: 'Ilse Brouwer', email: 'ilse@plein.example', role: 'member', job: 'Ervaringsdeskundige', org: 'Cliëntenraad Lindewaard', bio: '' },
];

const CHANNELS = [
  { slug: 'landelijk', name: 'Landelijk', policy: 'experts_ask' as const, description: 'Experts stellen vragen aan het hele sociaal domein; iedereen deelt ervaringen.' },
  { slug: 'jeugd', name: 'Jeugd', policy: 'open' as const, description: 'Jeugdhulp, jeugdbescherming en preventie.' },
  { slug: 'wmo', name: 'Wmo', policy: 'open' as const, description: 'Maatschappelijke ondersteuning: van keukentafelgesprek tot maatwerkvoorziening.' },
  { slug: 'participatie', name: 'Participatie', policy: 'open' as const, description: 'Werk, inkomen en meedoen.' },
  { slug: 'armoede-en-schulden', name: 'Armoede en schulden', policy: 'open' as const, description: 'Vroegsignalering, schuldhulpverlening en bestaanszekerheid.' },
];

interface DemoThread {
  channel: string;
  author: string;
  title: string;
  kind: 'question' | 'discussion';
  tags: string[];
  body: string;
  pinned?: boolean;
  replies: { author: string; body: string; quote?: number }[];
}

const THREADS: DemoThread[] = [
  {
    channel: 'landelijk',
    author: 'expert',
    title: 'Hoe organiseren jullie integrale toegang tot het sociaal domein?',
    kind: 'question',
    tags: ['toegang', 'integraal werken'],
    pinned: true,
    body: `<p><strong>Vraag:</strong> hoe zorgen jullie ervoor dat inwoners met vragen op meerdere levensgebieden één plek hebben waar ze terechtkunnen?</p>
<p><strong>Toelichting:</strong> veel gemeenten werken met een sociaal wijkteam, een loket en aparte routes voor schulden, jeugd en Wmo. Inwoners ervaren dat als versnipperd. Wij verzamelen voorbeelden van gemeenten die de toegang echt integraal hebben ingericht:</p>
<ul><li>Hoe is de samenwerking tussen wijkteam, schuldhulp en jeugd geregeld?</li><li>Wie voert de regie als er meerdere hulpverleners betrokken zijn?</li><li>Welke afspraken maakten jullie over het delen van gegevens (AVG)?</li></ul>
<p>Laat weten als je het interessant vindt als wij hierover een aanvullende videosessie organiseren.</p>`,
    replies: [
      { author: 'sander', body: '<p>Bij ons werkt het wijkteam met één plan per gezin. De schuldhulpverlener schuift aan bij het eerste gesprek als er signalen van geldzorgen zijn. Dat scheelt inwoners een tweede intake.</p>' },
      { author: 'anne', body: '<p>Wij hebben een <em>regiebehandelaar</em> aangewezen zodra er meer dan twee hulpverleners betrokken zijn. Zie de handreiking die we maakten met de cliëntenraad; ik deel hem graag.</p>' },
      { author: 'fatima', body: '<p>Vanuit de schuldhulp: de samenwerking werkt het best als we vroegsignalen van woningcorporaties en zorgverzekeraars direct in het wijkteam bespreken.</p>', quote: 0 },
      { author: 'ilse', body: '<p>Als ervaringsdeskundige: vraag inwoners zelf wie hun vaste contactpersoon moet zijn. Dat is lang niet altijd de professional die het organogram aanwijst.</p>' },
      { author: 'joost', body: '<p>Voor gezinnen met jeugdhulp werken wij met een <strong>gezinsplan</strong> dat ook de Wmo- en schuldhulpdoelen bevat. Lastig blijft de financiering: elk domein heeft een eigen budget en eigen verantwoording.</p>' },
      { author: 'expert', body: '<p>Dank allemaal, dit zijn bruikbare voorbeelden. Het punt van Ilse over de eigen keuze van de inwoner nemen we mee in de handreiking. Ik zie al drie aanmeldingen voor een videosessie: die gaan we plannen.</p>', quote: 3 },
    ],
  },
  {
    channel: 'wmo',
    author: 'anne',
    title: 'Ervaringen met het keukentafelgesprek via beeldbellen?',
    kind: 'discussion',
    tags: ['keukentafelgesprek', 'digitaal'],
    body: '<p>Sinds vorig jaar voeren wij een deel van de keukentafelgesprekken via beeldbellen. Wie heeft ervaring met wat wel en niet werkt?</p>',
    replies: [{ author: 'sander', body: '<p>Voor vervolggesprekken prima, voor een eerste gesprek gaan wij liever langs: je ziet thuis veel meer.</p>' }],
  },
  {
    channel: 'armoede-en-schulden',
    author: 'fatima',
    title: 'Vroegsignalering: welke partners leveren bij jullie signalen aan?',
    kind: 'question',
    tags: ['vroegsignalering', 'schuldhulpverlening'],
    body: '<p>Naast de vaste lastenpartners (huur, energie, water, zorgverzekering) kijken wij naar signalen van scholen. Wie doet dat al?</p>',
    replies: [],
  },
  {
    channel: 'jeugd',
    author: 'joost',
    title: 'Wachtlijsten jeugd-ggz: wat doen jullie in de tussentijd?',
    kind: 'discussion',
    tags: ['jeugd-ggz', 'wachtlijsten'],
    body: '<p>Gezinnen wachten soms maanden. Wij bieden overbruggingszorg vanuit het wijkteam aan. Hoe pakken jullie dat aan?</p>',
    replies: [{ author: 'ilse', body: '<p>Een vast aanspreekpunt tijdens het wachten helpt ouders enorm, ook als er inhoudelijk nog weinig gebeurt.</p>' }],
  },
  {
    channel: 'participatie',
    author: 'sander',
    title: 'Welkom in het kanaal Participatie',
    kind: 'discussion',
    tags: [],
    body: '<p>Hier delen we ervaringen over werk, inkomen en meedoen. Stel je vraag of deel een voorbeeld uit je gemeente.</p>',
    replies: [],
  },
];

async function insertThread(trx: Transaction<Database>, ids: Record<string, string>, channels: Record<string, string>, t: DemoThread, at: Date): Promise<void> {
  const body = sanitizeBody(t.body);
  const thread = await trx
    .insertInto('thread')
    .values({ channel_id: channels[t.channel], author_id: ids[t.author], title: t.title, kind: t.kind, first_post_id: null, pinned: t.pinned ?? false, reply_count: t.replies.length, last_activity_at: at, created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  const opening = await trx
    .insertInto('post')
    .values({ thread_id: thread.id, author_id: ids[t.author], is_opening: true, body_html: body.html, body_text: body.text, quote_post_id: null, created_at: at, edited_at: null, deleted_at: null, hidden_at: null, hidden_by: null, hidden_reason: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx.updateTable('thread').set({ first_post_id: opening.id }).where('id', '=', thread.id).execute();
  if (t.tags.length) await trx.insertInto('thread_tag').values(t.tags.map((tag) => ({ thread_id: thread.id, tag }))).execute();
  const replyIds: string[] = [];
  let last = at;
  for (const [i, r] of t.replies.entries()) {
    last = new Date(at.getTime() + (i + 1) * 37 * 60 * 1000);
    const clean = sanitizeBody(r.body);
    const row = await trx
      .insertInto('post')
      .values({ thread_id: thread.id, author_id: ids[r.author], body_html: clean.html, body_text: clean.text, quote_post_id: r.quote !== undefined ? replyIds[r.quote] : null, created_at: last, edited_at: null, deleted_at: null, hidden_at: null, hidden_by: null, hidden_reason: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    replyIds.push(row.id);
  }
  await trx.updateTable('thread').set({ last_activity_at: last }).where('id', '=', thread.id).execute();
  // Like the app does: you watch the threads you start and reply in.
  const watchers = new Set([t.author, ...t.replies.map((r) => r.author)].map((k) => ids[k]));
  await trx.insertInto('subscription').values([...watchers].map((user_id) => ({ user_id, target_type: 'thread' as const, target_id: thread.id, level: 'watching' as const }))).execute();
  await trx
    .updateTable('channel')
    .set({ last_activity_at: last })
    .where('id', '=', channels[t.channel])
    .where((eb) => eb.or([eb('last_activity_at', 'is', null), eb('last_activity_at', '<', last)]))
    .execute();
}

/**
 * Creates the fictional demo community on an empty database. Returns the demo logins, or null when
 * the database already has channels (a second start changes nothing).
 */
export async function seedDemo(db: Db): Promise<DemoLogin[] | null> {
  const existing = await db.selectFrom('channel').select('id').limit(1).executeTakeFirst();
  if (existing) return null;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const seeded = await db.transaction().execute(async (trx) => {
    // Two instances starting at once on an empty database: one seeds, the other waits and sees it.
    await sql`select pg_advisory_xact_lock(hashtext('plein:seed-demo'))`.execute(trx);
    if (await trx.selectFrom('channel').select('id').limit(1).executeTakeFirst()) return false;
    const ids: Record<string, string> = {};
    for (const p of PEOPLE) {
      const row = await trx
        .insertInto('user')
        .values({ email: p.email, display_name: p.name, job_title: p.job, organisation: p.org, bio: p.bio, role: p.role, password_hash: passwordHash, avatar_key: null, suspended_until: null, suspension_reason: null, email_verified_at: new Date(), display_name_skeleton: displayNameSkeleton(p.name) })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids[p.key] = row.id;
    }
    const channels: Record<string, string> = {};
    for (const [position, c] of CHANNELS.entries()) {
      const row = await trx
        .insertInto('channel')
        .values({ slug: c.slug, name: c.name, description: c.description, posting_policy: c.policy, position, last_activity_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      channels[c.slug] = row.id;
    }
    const start = Date.now() - THREADS.length * 24 * 60 * 60 * 1000;
    for (const [i, t] of THREADS.entries()) {
      await insertThread(trx, ids, channels, t, new Date(start + i * 20 * 60 * 60 * 1000));
    }
    await trx
      .updateTable('channel')
      .set((eb) => ({ thread_count: eb.selectFrom('thread').select(eb.fn.countAll<number>().as('n')).whereRef('thread.channel_id', '=', 'channel.id') }))
      .execute();
    return true;
  });
  if (!seeded) return null;
  return PEOPLE.map((p) => ({ email: p.email, password: DEMO_PASSWORD, role: p.role, displayName: `${p.name}, ${p.job}` }));
}
