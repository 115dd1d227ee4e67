import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { WebSocket } from 'ws';
import { isModerator } from '../accounts/guards';
import { Hub, type StoredEvent, type Subscriber, mayReceive, send } from './hub';

const MAX_TOPICS = 50;
const HEARTBEAT_MS = 30_000;
const RETENTION_MS = 24 * 60 * 60 * 1000;
const RETENTION_EVENTS = 100_000;
const TRIM_EVERY_MS = 10 * 60 * 1000;
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
    if (f.type === 'subscribe' && f.lastEventId !== undefined && f.lastEventId !== null && !(typeof f.lastEventId === 'string' && /^\d{1,19}$/.test(f.lastEventId))) {
      return 'lastEventId must be an event id string.';
    }
    return f.type === 'subscribe'
      ? { type: 'subscribe', topics: f.topics as string[], lastEventId: (f.lastEventId as string | undefined) ?? undefined }
      : { type: 'unsubscribe', topics: f.topics as string[] };
  }
  return 'Unknown frame type.';
}

function sendFrame(socket: WebSocket, frame: Record<string, unknown>): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
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

  const heartbeat = setInterval(async () => {
    for (const sub of hub.subscribers) {
      if (alive.get(sub.socket) === false) {
        sub.socket.terminate();
        continue;
      }
      alive.set(sub.socket, false);
      sub.socket.ping();
      const sessionId = sessions.get(sub);
      if (sessionId && !(await app.sessions.isAlive(sessionId).catch(() => true))) {
        sub.socket.close(4401, 'session ended');
      }
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const trim = setInterval(() => {
    sql`delete from event where created_at < ${new Date(Date.now() - RETENTION_MS)}
          and id < (select last_id from event_counter where id = 1) - ${RETENTION_EVENTS}`
      .execute(app.db)
      .catch((err) => app.log.warn({ err: err.message }, 'realtime: trimming events failed'));
  }, TRIM_EVERY_MS);
  trim.unref();

  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    clearInterval(trim);
    await hub.stop();
  });

  /** Resolves a requested topic to the stored topic name, or null when the caller may not see it. */
  async function resolveTopic(topic: string, sub: Subscriber): Promise<string | null> {
    if (topic === 'user:me') return sub.userId ? `user:${sub.userId}` : null;
    if (topic.startsWith('user:')) return sub.userId && topic === `user:${sub.userId}` ? topic : null;
    if (topic === 'mod') return sub.isModerator ? topic : null;
    let m = /^channel:([a-z0-9-]{1,60})$/.exec(topic);
    if (m) {
      const row = await app.db.selectFrom('channel').select('id').where('slug', '=', m[1]).executeTakeFirst();
      return row ? topic : null;
    }
    m = /^thread:([1-9][0-9]{0,18})$/.exec(topic);
    if (m) {
      const row = await app.db.selectFrom('thread').select('id').where('id', '=', m[1]).executeTakeFirst();
      return row ? topic : null;
    }
    return null;
  }

  async function replay(sub: Subscriber, topics: string[], lastEventId: string): Promise<'ok' | 'gap'> {
    const last = BigInt(lastEventId);
    const bounds = await app.db
      .selectFrom('event_counter')
      .select(['last_id', (eb) => eb.selectFrom('event').select(eb.fn.min('id').as('m')).as('min_id')])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    const newest = BigInt(bounds.last_id);
    const oldestKept = bounds.min_id === null ? newest + 1n : BigInt(String(bounds.min_id));
    if (last > newest || last < oldestKept - 1n) return 'gap';
    const events = await app.db
      .selectFrom('event')
      .select(['id', 'topic', 'type', 'payload', 'audience'])
      .where('topic', 'in', topics)
      .where('id', '>', lastEventId)
      .orderBy('id')
      .limit(RETENTION_EVENTS)
      .execute();
    for (const e of events) if (mayReceive(sub, e.audience)) send(sub, e as StoredEvent);
    return 'ok';
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
      },
    },
    (socket, request) => {
      const sub: Subscriber = {
        socket,
        userId: request.user?.id ?? null,
        isModerator: isModerator(request.user),
        topics: new Set(),
        pending: null,
        lastSent: new Map(),
      };
      hub.add(sub);
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
        if (frame.type === 'ping') {
          sendFrame(socket, { type: 'pong' });
          return;
        }
        if (frame.type === 'unsubscribe') {
          const removed: string[] = [];
          for (const topic of frame.topics) {
            const resolved = topic === 'user:me' && sub.userId ? `user:${sub.userId}` : topic;
            if (sub.topics.has(resolved)) {
              hub.unsubscribe(sub, resolved);
              removed.push(topic);
            }
          }
          sendFrame(socket, { type: 'unsubscribed', topics: removed });
          return;
        }
        const accepted: string[] = [];
        const resolvedTopics: string[] = [];
        for (const topic of frame.topics) {
          const resolved = await resolveTopic(topic, sub);
          if (!resolved) {
            sendFrame(socket, { type: 'error', code: 'forbidden_topic', message: `You cannot subscribe to ${topic}.`, topic });
            continue;
          }
          if (sub.topics.size >= MAX_TOPICS && !sub.topics.has(resolved)) {
            sendFrame(socket, { type: 'error', code: 'too_many_topics', message: `At most ${MAX_TOPICS} topics per connection.`, topic });
            continue;
          }
          accepted.push(topic);
          resolvedTopics.push(resolved);
        }
        if (!accepted.length) return;
        if (frame.lastEventId === undefined) {
          for (const topic of resolvedTopics) hub.subscribe(sub, topic);
          sendFrame(socket, { type: 'subscribed', topics: accepted });
          return;
        }
        // Live events for these topics wait while the replay reads the table; then both are merged by id.
        sub.pending = [];
        for (const topic of resolvedTopics) hub.subscribe(sub, topic);
        sendFrame(socket, { type: 'subscribed', topics: accepted });
        try {
          const result = await replay(sub, resolvedTopics, frame.lastEventId);
          if (result === 'gap') {
            sendFrame(socket, { type: 'error', code: 'replay_gap', message: 'Some events are no longer available; reload.' });
          }
        } finally {
          const pending = sub.pending ?? [];
          sub.pending = null;
          for (const event of pending) send(sub, event);
        }
      }
    },
  );
};

export default realtimePlugin;
