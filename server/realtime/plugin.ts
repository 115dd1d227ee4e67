import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import type { WebSocket } from 'ws';
import type { Db } from '../db';
import type { Viewer } from '../policy';
import { type EventListener, Hub, MAX_BUFFERED_BYTES, type StoredEvent, type Subscriber, mayReceive, send } from './hub';

const MAX_TOPICS = 50;
const HEARTBEAT_MS = 30_000;
/** Sockets of ended sessions (logout, password change, expiry) are closed within this interval. */
const SESSION_CHECK_MS = 10_000;
export const RETENTION_MS = 24 * 60 * 60 * 1000;
export const RETENTION_EVENTS = 100_000;
const TRIM_EVERY_MS = 10 * 60 * 1000;
/** One trim statement deletes at most this many rows (short locks, bounded WAL); a run does at most 20. */
const TRIM_BATCH = 10_000;
const REPLAY_BATCH = 200;
/** Close code for a socket whose session ended. */
export const SESSION_ENDED = 4401;
/** Inbound frames: a burst of 30, refilled at 10 per second. */
const FRAME_BURST = 30;
const FRAMES_PER_SECOND = 10;

type Frame = { type: 'subscribe'; topics: string[]; lastEventId?: string } | { type: 'unsubscribe'; topics: string[] } | { type: 'ping' };

function parseFrame(raw: string): Frame | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'Frames must be JSON.';
  }
  if (!value || typeof value !== 'object') return 'Frames must be JSON objects.';
  const f = value as Record<string, unknown>;
  if (f.type === 'ping') return { type: 'ping' };
  if (f.type === 'subscribe' || f.type === 'unsubscribe') {
    if (!Array.isArray(f.topics) || f.topics.length === 0 || f.topics.length > MAX_TOPICS || !f.topics.every((t) => typeof t === 'string' && t.length <= 100)) {
      return `topics must be a list of 1 to ${MAX_TOPICS} topic names.`;
    }
    // An id as api.md sends it ("456"); a plain non-negative integer is accepted too.
    const last = typeof f.lastEventId === 'number' && Number.isSafeInteger(f.lastEventId) && f.lastEventId >= 0 ? String(f.lastEventId) : f.lastEventId;
    if (f.type === 'subscribe' && last !== undefined && last !== null && !(typeof last === 'string' && /^\d{1,19}$/.test(last))) {
      return 'lastEventId must be an event id string.';
    }
    return f.type === 'subscribe'
      ? { type: 'subscribe', topics: f.topics as string[], lastEventId: (last as string | null | undefined) ?? undefined }
      : { type: 'unsubscribe', topics: f.topics as string[] };
  }
  return 'Unknown frame type.';
}

function sendFrame(socket: WebSocket, frame: Record<string, unknown>): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the socket's send buffer is below `bound`; false if it does not drain in time. */
async function drained(socket: WebSocket, bound: number, timeoutMs = 30_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (socket.bufferedAmount > bound) {
    if (socket.readyState !== socket.OPEN || Date.now() > until) return false;
    await sleep(10);
  }
  return socket.readyState === socket.OPEN;
}

/**
 * A kind of topic (`thread` for `thread:<id>`, `mod` for `mod`), registered by the domain that owns it.
 * `authorize` answers the stored topic name for `key` (e.g. `user:42` for `user:me`), or null when the
 * viewer may not read it or it does not exist.
 */
export type TopicAuthorizer = (viewer: Viewer, key: string, context: { sessionAlive(): Promise<boolean> }) => Promise<string | null>;

/**
 * Presents stored events of one type as `viewer` may see them now, for a replay: one answer per event,
 * in order (null leaves the event out). Live delivery sends the payload as written.
 */
export type ReplayPresenter = (db: Db, viewer: Viewer, events: StoredEvent[]) => Promise<Array<unknown | null>>;

/** Maintenance entry points, run by timers; exposed so tests need not wait for the timers. */
export interface RealtimeControl {
  /** Registers a topic kind and who may read it (the bus knows no domain). */
  topic(kind: string, authorize: TopicAuthorizer): void;
  /** Registers how a replayed event of `type` is shown to a viewer now. */
  presenter(type: string, present: ReplayPresenter): void;
  /** Calls `listener` with every event this instance applies, in id order, before delivering it (caches follow the log). */
  onEvent(listener: EventListener): void;
  /** One heartbeat round: terminates sockets that did not answer the previous ping, pings the rest. */
  heartbeat(): void;
  /** Closes (4401) the sockets whose session is no longer alive. */
  checkSessions(): Promise<void>;
  /** Deletes events older than the retention (both 24 hours and the last 100,000 are kept). Returns the number deleted. */
  trim(): Promise<number>;
  /** Is this instance's LISTEN connection up? */
  readonly listening: boolean;
  /** Open sockets on this instance. */
  readonly connections: number;
  /** The newest event id this instance delivered (metrics: outbox lag). */
  readonly lastDeliveredId: bigint | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    realtime: RealtimeControl;
  }
}

/**
 * GET /api/ws: live events from the outbox (see hub.ts), replay with lastEventId, heartbeat,
 * bounded frames, and a cut-off for slow consumers.
 */
const realtimePlugin: FastifyPluginAsyncTypebox = async (app) => {
  const hub = new Hub(app.db, app.config.databaseUrl!, app.log);
  await hub.start();

  const sessions = new Map<Subscriber, string>();
  const alive = new WeakMap<WebSocket, boolean>();
  const topicKinds = new Map<string, TopicAuthorizer>();
  const presenters = new Map<string, ReplayPresenter>();
  /** Open sockets per client address (a cap at upgrade). */
  const perAddress = new Map<string, number>();

  function heartbeatRound(): void {
    for (const sub of hub.subscribers) {
      if (alive.get(sub.socket) === false) {
        sub.socket.terminate();
        continue;
      }
      alive.set(sub.socket, false);
      if (sub.socket.readyState === sub.socket.OPEN) sub.socket.ping();
    }
  }

  let checking = false;
  async function checkSessions(): Promise<void> {
    if (checking) return;
    checking = true;
    try {
      // One query for every open session: which still live, and with which role (a moderator
      // stepping down stops getting moderator events). A database hiccup closes nobody.
      const live = await app.sessions.liveSessions([...new Set(sessions.values())]).catch(() => null);
      if (!live) return;
      for (const [sub, sessionId] of sessions) {
        const now = live.get(sessionId);
        if (!now || !sub.viewer) {
          sub.socket.close(SESSION_ENDED, 'session ended');
          continue;
        }
        const before = sub.viewer;
        sub.viewer = { id: before.id, role: now.role, suspendedUntil: now.suspendedUntil, twoFactorMissing: now.twoFactorMissing, channelIds: now.channelIds };
        const changed =
          before.role !== now.role ||
          before.suspendedUntil?.getTime() !== now.suspendedUntil?.getTime() ||
          before.twoFactorMissing !== now.twoFactorMissing ||
          (before.channelIds ?? []).join() !== now.channelIds.join();
        // A changed role, suspension, two-factor state or membership is asked again for every topic (a
        // suspended moderator leaves `mod`, someone who left a closed channel its threads).
        if (changed) await reauthorize(sub);
      }
    } finally {
      checking = false;
    }
  }

  /**
   * Deletes a contiguous prefix of the event table: every id below the first event that is younger
   * than 24 hours, and below the newest 100,000. Never a hole in the middle (created_at is the writer's
   * transaction start, so it is not strictly monotonic in id): replay's gap check relies on that.
   */
  async function trimEvents(): Promise<number> {
    const cutoff = new Date(Date.now() - RETENTION_MS);
    const row = await sql<{ below: string }>`
      select least(
               c.last_id - ${RETENTION_EVENTS} + 1,
               coalesce((select id from event where created_at >= ${cutoff} order by id limit 1), c.last_id + 1)
             )::text as below
        from event_counter c where c.id = 1`.execute(app.db);
    const below = row.rows[0]?.below;
    if (!below) return 0;
    let total = 0;
    for (let round = 0; round < 20; round++) {
      const result = await sql`
        delete from event where id in (select id from event where id < ${below} order by id limit ${TRIM_BATCH})`.execute(app.db);
      const n = Number(result.numAffectedRows ?? 0);
      total += n;
      if (n < TRIM_BATCH) break;
    }
    return total;
  }

  const heartbeat = setInterval(heartbeatRound, HEARTBEAT_MS);
  heartbeat.unref();
  const sessionTimer = setInterval(() => {
    checkSessions().catch((err) => app.log.warn({ err: (err as Error).message }, 'realtime: session check failed'));
  }, SESSION_CHECK_MS);
  sessionTimer.unref();
  const trim = setInterval(() => {
    trimEvents().catch((err) => app.log.warn({ err: (err as Error).message }, 'realtime: trimming events failed'));
  }, TRIM_EVERY_MS);
  trim.unref();

  app.decorate('realtime', {
    topic(kind: string, authorize: TopicAuthorizer) {
      if (topicKinds.has(kind)) throw new Error(`realtime: topic kind ${kind} registered twice`);
      topicKinds.set(kind, authorize);
    },
    presenter(type: string, present: ReplayPresenter) {
      if (presenters.has(type)) throw new Error(`realtime: presenter for ${type} registered twice`);
      presenters.set(type, present);
    },
    onEvent: (listener: EventListener) => hub.onEvent(listener),
    heartbeat: heartbeatRound,
    checkSessions,
    trim: trimEvents,
    get listening() {
      return hub.listening;
    },
    get connections() {
      return hub.subscribers.size;
    },
    get lastDeliveredId() {
      return hub.delivered;
    },
  } satisfies RealtimeControl);

  // A write this instance answers has been applied here before the answer leaves: the writer's next
  // read on this instance (served from the page cache) already shows it, and so do its live events.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS' && reply.statusCode < 400) await hub.catchUp();
    return payload;
  });

  // Sockets already heard 1001 in @fastify/websocket's preClose; this runs before the pool closes
  // (the db plugin registered its onClose earlier, and onClose hooks run in reverse).
  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    clearInterval(sessionTimer);
    clearInterval(trim);
    // Give clients a moment to answer the close handshake, then cut whatever is left.
    const until = Date.now() + 2000;
    while (hub.subscribers.size > 0 && Date.now() < until) await sleep(20);
    for (const sub of hub.subscribers) sub.socket.terminate();
    await hub.stop();
  });

  /** Resolves a requested topic to the stored topic name, or null when the caller may not see it. */
  async function resolveTopic(topic: string, sub: Subscriber): Promise<string | null> {
    const colon = topic.indexOf(':');
    const kind = colon < 0 ? topic : topic.slice(0, colon);
    const key = colon < 0 ? '' : topic.slice(colon + 1);
    const authorize = topicKinds.get(kind);
    if (!authorize) return null;
    const sessionAlive = async () => {
      // Personal events only while the session lives (the periodic check may not have run yet).
      const sessionId = sessions.get(sub);
      return !sessionId || (await app.sessions.isAlive(sessionId));
    };
    return authorize(sub.viewer, key, { sessionAlive });
  }

  /** Drops the topics this socket may no longer read. */
  async function reauthorize(sub: Subscriber): Promise<void> {
    const { names } = sub;
    for (const [requested, resolved] of [...names]) {
      if ((await resolveTopic(requested, sub)) === resolved) continue;
      names.delete(requested);
      if (![...names.values()].includes(resolved)) hub.unsubscribe(sub, resolved);
    }
  }

  /**
   * Is everything after `after` still kept? Trimming only removes the lowest ids (and ids are dense:
   * a rolled-back writer gives its id back), so it is when the oldest kept event is at most after + 1.
   * Checked after each read: the oldest kept id only grows, so a "yes" now means the read was complete.
   */
  async function stillKept(after: bigint): Promise<boolean> {
    const bounds = await app.db
      .selectFrom('event_counter')
      .select(['last_id', (eb) => eb.selectFrom('event').select(eb.fn.min('id').as('m')).as('min_id')])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    const newest = BigInt(bounds.last_id);
    if (after > newest) return false; // an id from another database (or before a restore)
    if (bounds.min_id === null) return after === newest;
    return BigInt(String(bounds.min_id)) <= after + 1n;
  }

  /**
   * Each event as the viewer may see it now (a post hidden, deleted or edited since it was written),
   * through the presenter its domain registered; events without one are sent as stored.
   */
  async function presentNow(viewer: Viewer, events: StoredEvent[]): Promise<Array<unknown | null>> {
    const out: Array<unknown | null> = events.map((e) => e.payload);
    const byType = new Map<string, number[]>();
    for (const [i, e] of events.entries()) {
      if (!presenters.has(e.type)) continue;
      const indexes = byType.get(e.type);
      if (indexes) indexes.push(i);
      else byType.set(e.type, [i]);
    }
    for (const [type, indexes] of byType) {
      const answers = await presenters.get(type)!(app.db, viewer, indexes.map((i) => events[i]));
      for (const [j, i] of indexes.entries()) out[i] = answers[j];
    }
    return out;
  }

  /**
   * Sends every event of `topics` after `lastEventId` that the subscriber may see, in id order, in
   * batches. A healthy client gets the whole backlog: the replay waits for its send buffer to drain
   * instead of cutting it off like a slow live consumer.
   */
  async function replay(sub: Subscriber, topics: string[], lastEventId: string): Promise<'ok' | 'gap' | 'gone'> {
    let cursor = BigInt(lastEventId);
    if (cursor > 9223372036854775807n) return 'gap'; // beyond bigint: never issued
    for (;;) {
      if (sub.socket.readyState !== sub.socket.OPEN) return 'gone';
      const events = await app.db
        .selectFrom('event')
        .select(['id', 'topic', 'type', 'payload', 'audience'])
        .where('topic', 'in', topics)
        .where('id', '>', cursor.toString())
        .orderBy('id')
        .limit(REPLAY_BATCH)
        .execute();
      if (!(await stillKept(cursor))) return 'gap';
      const receivable = (events as StoredEvent[]).filter((e) => mayReceive(sub, e.audience));
      const presented = await presentNow(sub.viewer, receivable);
      for (const [i, e] of receivable.entries()) {
        if (sub.socket.bufferedAmount > MAX_BUFFERED_BYTES / 2 && !(await drained(sub.socket, MAX_BUFFERED_BYTES / 4))) {
          sub.socket.terminate();
          return 'gone';
        }
        if (presented[i] !== null) send(sub, e, presented[i]);
      }
      if (events.length < REPLAY_BATCH) return 'ok';
      cursor = BigInt(events[events.length - 1].id);
    }
  }

  app.get(
    '/api/ws',
    {
      websocket: true,
      // A cookie-authenticated handshake must come from our own site (cross-site websocket hijacking).
      onRequest: async (request, reply) => {
        const cookie = request.cookies[app.sessions.cookieName];
        if (cookie && !app.sessions.originAllowed(request.headers.origin)) {
          return reply.status(403).send({ error: { code: 'bad_origin', message: 'This connection did not come from the Plein website.' } });
        }
        if ((perAddress.get(request.ip) ?? 0) >= app.config.wsMaxPerAddress) {
          return reply.status(429).send({ error: { code: 'too_many_connections', message: 'Too many open connections from this address.' } });
        }
      },
    },
    (socket, request) => {
      const user = request.user;
      const sub: Subscriber = {
        socket,
        viewer: user ? { id: user.id, role: user.role, suspendedUntil: user.suspendedUntil, twoFactorMissing: user.twoFactorMissing, channelIds: user.channelIds } : null,
        topics: new Set(),
        names: new Map(),
        pending: null,
        lastSent: new Map(),
      };
      hub.add(sub);
      const address = request.ip;
      perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
      if (request.sessionId) sessions.set(sub, request.sessionId);
      alive.set(socket, true);
      let tokens = FRAME_BURST;
      let refilledAt = Date.now();
      // Frames are handled one after another, so a subscribe's replay finishes before the next frame.
      let queue: Promise<void> = Promise.resolve();

      // Handlers are attached synchronously, before any await, so no early frame is dropped.
      socket.on('pong', () => alive.set(socket, true));
      socket.on('close', () => {
        hub.remove(sub);
        sessions.delete(sub);
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      });
      socket.on('message', (data, isBinary) => {
        const now = Date.now();
        tokens = Math.min(FRAME_BURST, tokens + ((now - refilledAt) / 1000) * FRAMES_PER_SECOND);
        refilledAt = now;
        if (tokens < 1) {
          sendFrame(socket, { type: 'error', code: 'rate_limited', message: 'Too many frames; slow down.' });
          return;
        }
        tokens -= 1;
        const frame = isBinary ? 'Binary frames are not supported.' : parseFrame(data.toString());
        if (typeof frame === 'string') {
          sendFrame(socket, { type: 'error', code: 'invalid_frame', message: frame });
          return;
        }
        queue = queue.then(() => handle(frame)).catch((err) => {
          app.log.warn({ err: (err as Error).message }, 'realtime: frame failed');
          sendFrame(socket, { type: 'error', code: 'internal_error', message: 'Something went wrong on our side.' });
        });
      });

      async function handle(frame: Frame): Promise<void> {
        if (socket.readyState !== socket.OPEN) return; // closed while earlier frames were handled
        if (frame.type === 'ping') {
          sendFrame(socket, { type: 'pong' });
          return;
        }
        if (frame.type === 'unsubscribe') {
          const removed: string[] = [];
          for (const topic of frame.topics) {
            const resolved = sub.names.get(topic) ?? topic;
            for (const [name, to] of [...sub.names]) if (to === resolved) sub.names.delete(name);
            if (sub.topics.has(resolved)) {
              hub.unsubscribe(sub, resolved);
              removed.push(topic);
            }
          }
          sendFrame(socket, { type: 'unsubscribed', topics: removed });
          return;
        }
        const accepted: string[] = [];
        const resolvedTopics = new Set<string>();
        // Topics new to this socket: the cap counts each once (user:me and user:<id> are one topic).
        let added = 0;
        for (const topic of frame.topics) {
          const resolved = await resolveTopic(topic, sub);
          if (!resolved) {
            sendFrame(socket, { type: 'error', code: 'forbidden_topic', message: `You cannot subscribe to ${topic}.`, topic });
            continue;
          }
          const isNew = !sub.topics.has(resolved) && !resolvedTopics.has(resolved);
          if (isNew && sub.topics.size + added >= MAX_TOPICS) {
            sendFrame(socket, { type: 'error', code: 'too_many_topics', message: `At most ${MAX_TOPICS} topics per connection.`, topic });
            continue;
          }
          if (isNew) added++;
          accepted.push(topic);
          resolvedTopics.add(resolved);
          sub.names.set(topic, resolved);
        }
        if (!accepted.length) return;
        // With lastEventId, live events for these topics wait while the replay reads the table; then
        // both are merged by id.
        const replaying = frame.lastEventId !== undefined;
        if (replaying) sub.pending = [];
        for (const topic of resolvedTopics) hub.subscribe(sub, topic);
        sendFrame(socket, { type: 'subscribed', topics: accepted });
        if (!replaying) return;
        try {
          const result = await replay(sub, [...resolvedTopics], frame.lastEventId!);
          if (result === 'gap') {
            sendFrame(socket, { type: 'error', code: 'replay_gap', message: 'Some events are no longer available; reload.' });
          }
        } finally {
          const pending = sub.pending ?? [];
          sub.pending = null;
          for (const event of pending) send(sub, event);
        }
        // Every missed event the reader may see has been sent: from here on, only live ones.
        sendFrame(socket, { type: 'replayed', topics: accepted });
      }
    },
  );
};

export default fp(realtimePlugin, { name: 'plein-realtime', dependencies: ['plein-db'] });
