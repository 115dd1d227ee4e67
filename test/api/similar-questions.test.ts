// Issue 21: "Vergelijkbare vragen" ranks titles by the typed content words they share, weighted by
// rarity. Measured against a relevance set: typed questions, each with the suggestions it should get
// (the first one first) and the ones it must not get.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';

const TITLES = [
  'Wachtlijsten jeugd-ggz in de regio',
  'Hoe betrekken jullie de cliëntenraad bij het Wmo-beleid?',
  'Vergoeding voor leden van de cliëntenraad',
  'Cliëntenraad sociaal domein: samenstelling en werving',
  'Schuldhulpverlening voor jongeren onder de 27',
  'Vroegsignalering van schulden met woningcorporaties',
  'Beschermingsbewind en budgetbeheer: wie betaalt?',
  'Mantelzorgwaardering: cadeaubon of geld?',
  'Respijtzorg voor mantelzorgers van mensen met dementie',
  'Keukentafelgesprek voeren met een tolk',
  'Eigen bijdrage Wmo voor huishoudelijke hulp',
  'Inkoop van huishoudelijke ondersteuning via aanbesteding',
  'Pgb-tarieven voor informele zorg',
  'Beschermd wonen en de doordecentralisatie',
  'Maatschappelijke opvang voor dak- en thuislozen',
  'Re-integratie van statushouders naar betaald werk',
  'Inburgering en taalachterstand onder nieuwkomers',
  'Loonkostensubsidie en de Participatiewet',
  'Dagbesteding voor ouderen met dementie',
  'Eenzaamheid onder ouderen aanpakken',
  'Jeugdbescherming: wachttijden bij de gecertificeerde instelling',
  'Privacy bij gegevensdeling in het wijkteam',
  'Samenwerking tussen huisarts en wijkteam',
  'Leerplicht en thuiszitters',
  'Armoedebeleid voor gezinnen met kinderen',
  'Kindpakket en meedoenregeling',
  'Energietoeslag uitkeren aan minima',
  'Vervoer naar de dagbesteding regelen',
  'Woningaanpassing voor rolstoelgebruikers',
  'Hulpmiddelen uitlenen via een depot',
  'Ervaringsdeskundigen inzetten in de schuldhulpverlening',
  'Monitor sociaal domein: welke indicatoren?',
  'Subsidie voor buurthuizen en vrijwilligers',
  'Preventie van huiselijk geweld',
  'Veilig Thuis en de meldcode',
  'Contractmanagement bij jeugdhulpaanbieders',
  'Wachtlijst voor Wmo-voorzieningen terugdringen',
  'Zorgmijders bereiken in de wijk',
  'Jeugdhulp in het onderwijs',
  'Wachtlijsten bij de jeugdhulp',
  // Words many titles have: alone they must never make a suggestion.
  'Regionale samenwerking in de regio Noord',
  'Inkoop in de regio',
  'Ervaringen met de regio-aanpak',
  'Vervoer in de regio',
  'De regio als schaal voor beschermd wonen',
  'Regio of gemeente: wie beslist?',
  'Toegang in de regio',
  'Wat doet de gemeente bij een klacht?',
  'Gemeente en zorgverzekeraar',
  'Gemeente als werkgever',
  'Ervaringen met de gemeente',
  'Kleine gemeente, grote taken',
  'Ervaringen met een nieuw werkproces',
  'Ervaringen met digitale formulieren',
  'Ervaringen delen over jeugd',
  'Aanpak van jeugdcriminaliteit',
  'Een integrale aanpak voor gezinnen',
  'Aanpak van laaggeletterdheid',
  'Jeugd en sport',
  'Jeugd en social media',
  ...['Noord', 'Zuid', 'Oost', 'West', 'Midden', 'Kust', 'Rivierenland', 'Heuvelland'].flatMap((r) => [
    `Overleg in de regio ${r}`,
    `Nieuws uit de gemeente ${r}`,
    `Ervaringen uit ${r}`,
    `De aanpak in ${r}`,
    `Jeugd in ${r}`,
  ]),
];

/** Typed title → the titles it should suggest (the first of them first) and the ones it must not. */
const RELEVANCE: { typed: string; expect: string[]; never?: string[] }[] = [
  { typed: 'Hoe betrekken we de cliëntenraad bij ons beleid?', expect: ['Hoe betrekken jullie de cliëntenraad bij het Wmo-beleid?'], never: ['Wachtlijsten jeugd-ggz in de regio', 'Wachtlijsten bij de jeugdhulp'] },
  { typed: 'Werving van leden voor de cliëntenraad', expect: ['Cliëntenraad sociaal domein: samenstelling en werving', 'Vergoeding voor leden van de cliëntenraad'], never: ['Wachtlijsten jeugd-ggz in de regio'] },
  { typed: 'Welke vergoeding krijgt de cliëntenraad?', expect: ['Vergoeding voor leden van de cliëntenraad'], never: ['Wachtlijsten jeugd-ggz in de regio'] },
  { typed: 'Lange wachtlijsten in de jeugd-ggz', expect: ['Wachtlijsten jeugd-ggz in de regio'], never: ['Vergoeding voor leden van de cliëntenraad'] },
  { typed: 'Schuldhulpverlening aan jongeren', expect: ['Schuldhulpverlening voor jongeren onder de 27'] },
  { typed: 'Schulden signaleren', expect: ['Vroegsignalering van schulden met woningcorporaties'] },
  { typed: 'Afspraken met woningcorporaties over vroegsignalering', expect: ['Vroegsignalering van schulden met woningcorporaties'] },
  { typed: 'Mantelzorgers ontlasten met respijtzorg', expect: ['Respijtzorg voor mantelzorgers van mensen met dementie'] },
  { typed: 'Cadeaubon als mantelzorgwaardering?', expect: ['Mantelzorgwaardering: cadeaubon of geld?'] },
  { typed: 'Een tolk bij het keukentafelgesprek', expect: ['Keukentafelgesprek voeren met een tolk'] },
  { typed: 'Eigen bijdrage voor huishoudelijke hulp', expect: ['Eigen bijdrage Wmo voor huishoudelijke hulp'] },
  { typed: 'Aanbesteding van huishoudelijke ondersteuning', expect: ['Inkoop van huishoudelijke ondersteuning via aanbesteding'] },
  { typed: 'Doordecentralisatie van beschermd wonen', expect: ['Beschermd wonen en de doordecentralisatie'] },
  { typed: 'Maatschappelijke opvang in onze regio', expect: ['Maatschappelijke opvang voor dak- en thuislozen'] },
  { typed: 'Statushouders aan betaald werk helpen', expect: ['Re-integratie van statushouders naar betaald werk'] },
  { typed: 'Taalachterstand bij nieuwkomers', expect: ['Inburgering en taalachterstand onder nieuwkomers'] },
  { typed: 'Loonkostensubsidie aanvragen', expect: ['Loonkostensubsidie en de Participatiewet'] },
  { typed: 'Dagbesteding bij dementie', expect: ['Dagbesteding voor ouderen met dementie'] },
  { typed: 'Eenzaamheid bij ouderen', expect: ['Eenzaamheid onder ouderen aanpakken'] },
  { typed: 'Thuiszitters en de leerplicht', expect: ['Leerplicht en thuiszitters'] },
  { typed: 'Meedoenregeling voor kinderen', expect: ['Kindpakket en meedoenregeling'] },
  { typed: 'Energietoeslag voor minima', expect: ['Energietoeslag uitkeren aan minima'] },
  { typed: 'Privacy en gegevensdeling', expect: ['Privacy bij gegevensdeling in het wijkteam'] },
  { typed: 'Huiselijk geweld voorkomen', expect: ['Preventie van huiselijk geweld'] },
  { typed: 'Indicatoren voor een monitor', expect: ['Monitor sociaal domein: welke indicatoren?'] },
  { typed: 'Woningaanpassing voor een rolstoel', expect: ['Woningaanpassing voor rolstoelgebruikers'] },
  { typed: 'Wachtlijsten in de jeugdhulp', expect: ['Wachtlijsten bij de jeugdhulp'], never: ['Hoe betrekken jullie de cliëntenraad bij het Wmo-beleid?'] },
  { typed: 'Hoe werkt de gemeenteraad?', expect: [] },
  // A common word shared with an unrelated title is not enough (the cliëntenraad question that got "Wachtlijsten jeugd-ggz").
  { typed: 'Cliëntenraad in onze regio', expect: ['Cliëntenraad sociaal domein: samenstelling en werving'], never: ['Wachtlijsten jeugd-ggz in de regio', 'Inkoop in de regio', 'Vervoer in de regio'] },
  { typed: 'Ervaringen met een cliëntenraad', expect: ['Cliëntenraad sociaal domein: samenstelling en werving'], never: ['Ervaringen met de gemeente', 'Ervaringen met een nieuw werkproces'] },
  { typed: 'Aanpak van wachtlijsten in de gemeente', expect: ['Wachtlijsten bij de jeugdhulp', 'Wachtlijsten jeugd-ggz in de regio'], never: ['Aanpak van laaggeletterdheid', 'Gemeente als werkgever'] },
  { typed: 'Onze ervaringen', expect: [] },
  { typed: 'Iets voor de jeugd in onze gemeente', expect: [] },
];

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'wmo');
  const member = await signUp(t);
  for (const title of TITLES) await startThread(member, 'wmo', { title });
});
afterAll(async () => {
  await t.close();
});

const similar = async (title: string) => ((await request(t.app.server).get('/api/search/similar').query({ title }).expect(200)).body.items as { title: string }[]).map((i) => i.title);

describe('similar questions, measured against a relevance set', () => {
  it(`has at least 20 typed questions (${RELEVANCE.length})`, () => {
    expect(RELEVANCE.length).toBeGreaterThanOrEqual(20);
  });

  for (const item of RELEVANCE) {
    it(`"${item.typed}" → ${item.expect.length ? item.expect[0] : 'nothing'}`, async () => {
      const got = await similar(item.typed);
      expect(got.length).toBeLessThanOrEqual(5);
      if (item.expect.length === 0) expect(got).toEqual([]);
      else expect(got[0]).toBe(item.expect[0]);
      for (const e of item.expect) expect(got).toContain(e);
      for (const n of item.never ?? []) expect(got).not.toContain(n);
    });
  }

  it('refuses a title that is too short or too long (400)', async () => {
    expect((await request(t.app.server).get('/api/search/similar').query({ title: 'ab' })).status).toBe(400);
    expect((await request(t.app.server).get('/api/search/similar').query({ title: 'x'.repeat(201) })).status).toBe(400);
  });
});
