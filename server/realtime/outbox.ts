import { type Transaction, sql } from 'kysely';
import type { EventName, EventPayload, Topic } from '../../shared/events';
import type { Database } from '../db/schema';

export const EVENTS_CHANNEL = 'plein_events';

export type EventType = EventName;

/** An event to append: its type decides its payload's shape (shared/events.ts). */
export type NewEvent = {
  [K in EventName]: {
    /** Built with `topics` from shared/events.ts: `channel:landelijk`, `thread:123`, `user:42`, `mod` */
    topic: Topic;
    type: K;
    payload: EventPayload<K>;
    /**
     * 'public', 'moderators' (moderators and admins), or `user:<id>`. Events are only pushed (and replayed)
     * to those in the audience. Default: the topic itself for `user:<id>` topics, else 'public'.
     */
    audience?: string;
  };
}[EventName];

/**
 * Writes events in the caller's transaction, in the order given: one counter update, one insert and
 * one NOTIFY however many there are. The counter row stays locked until that transaction ends, so
 * event ids become visible strictly in order (no reader can see 11 before 10 commits). Call it as
 * late in the transaction as possible, with everything it needs already read: it serialises event
 * writers. NOTIFY is transactional: other instances are woken only after commit.
 */
export async function appendEvents(trx: Transaction<Database>, events: NewEvent[]): Promise<string[]> {
  return writeEvents(trx, events);
}

/** Any event on any topic: what the bus itself stores. Domains use the typed appendEvents. */
export interface RawEvent {
  topic: string;
  type: string;
  payload: unknown;
  audience?: string;
}

/**
 * Who may receive public events of some topic kinds, asked at write time: a domain whose topics can
 * be closed (a thread in a closed channel) answers a narrower audience per topic (e.g. 'members:7'),
 * or nothing for public. It gets the keys of every kind it registered for at once, so one read
 * answers a whole batch. The bus knows no domain: domains register these (channels/plugin.ts).
 */
export type AudienceRule = (trx: Transaction<Database>, keysByKind: Map<string, string[]>) => Promise<Map<string, string>>;
const audienceRules = new Map<string, AudienceRule>();
export function registerAudienceRule(kinds: string[], rule: AudienceRule): void {
  for (const kind of kinds) audienceRules.set(kind, rule);
}

/** The narrowed audience of each event whose audience would be public, or undefined. */
async function narrowAudiences(trx: Transaction<Database>, events: RawEvent[]): Promise<Array<string | undefined>> {
  const asked = new Map<AudienceRule, Map<string, Set<string>>>();
  for (const e of events) {
    if ((e.audience ?? 'public') !== 'public') continue;
    const colon = e.topic.indexOf(':');
    const rule = colon < 0 ? undefined : audienceRules.get(e.topic.slice(0, colon));
    if (!rule) continue;
    const kind = e.topic.slice(0, colon);
    const byKind = asked.get(rule) ?? new Map<string, Set<string>>();
    asked.set(rule, byKind);
    const keys = byKind.get(kind) ?? new Set<string>();
    byKind.set(kind, keys);
    keys.add(e.topic.slice(colon + 1));
  }
  if (!asked.size) return events.map(() => undefined);
  const answers = new Map<string, string>();
  for (const [rule, byKind] of asked) {
    const answer = await rule(trx, new Map([...byKind].map(([kind, keys]) => [kind, [...keys]])));
    for (const [topic, audience] of answer) answers.set(topic, audience);
  }
  return events.map((e) => ((e.audience ?? 'public') === 'public' ? answers.get(e.topic) : undefined));
}

/** The bus's own write, untyped (the bus knows no event): appendEvents is this with the catalogue's types. */
export async function writeEvents(trx: Transaction<Database>, events: RawEvent[]): Promise<string[]> {
  if (!events.length) return [];
  const narrowed = await narrowAudiences(trx, events);
  const rows = events.map((event, i) => {
    // A personal topic is personal by default; an audience nobody matches (a typo) fails loudly.
    const audience = narrowed[i] ?? event.audience ?? (event.topic.startsWith('user:') ? event.topic : 'public');
    if (audience !== 'public' && audience !== 'moderators' && !/^(user|members):[1-9][0-9]*$/.test(audience)) {
      throw new Error(`appendEvent: unknown audience ${JSON.stringify(audience)} (use 'public', 'moderators', 'user:<id>' or 'members:<channelId>')`);
    }
    return { topic: event.topic, type: event.type, payload: JSON.stringify(event.payload), audience };
  });
  // One statement: the counter row is locked from here until commit, so the fewer round trips after
  // it, the less other writers wait.
  const n = rows.length;
  const { rows: out } = await sql<{ last_id: string }>`
    with c as (update event_counter set last_id = last_id + ${n} where id = 1 returning last_id),
    ins as (
      insert into event (id, topic, type, payload, audience)
      select c.last_id - ${n} + e.ord, e.topic, e.type, e.payload::jsonb, e.audience
      from c, unnest(${rows.map((r) => r.topic)}::text[], ${rows.map((r) => r.type)}::text[], ${rows.map((r) => r.payload)}::text[], ${rows.map((r) => r.audience)}::text[])
        with ordinality as e(topic, type, payload, audience, ord)
    )
    select c.last_id::text as last_id, pg_notify(${EVENTS_CHANNEL}, c.last_id::text) from c
  `.execute(trx);
  const last = BigInt(out[0].last_id);
  return rows.map((_, i) => String(last - BigInt(n) + 1n + BigInt(i)));
}

/**
 * The newest event id visible in the reading statement's snapshot, for a select list: a client that
 * subscribes with it as `lastEventId` after loading what the statement read misses nothing.
 */
export const eventWatermark = sql<string>`(select last_id::text from event_counter where id = 1)`;

/** One event: see appendEvents. */
export async function appendEvent(trx: Transaction<Database>, event: NewEvent): Promise<string> {
  return (await appendEvents(trx, [event]))[0];
}

/** One untyped event: see writeEvents. */
export async function writeEvent(trx: Transaction<Database>, event: RawEvent): Promise<string> {
  return (await writeEvents(trx, [event]))[0];
}
