import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { WebSocket } from 'ws';
import type { Db } from '../db';
import { type Viewer, mayReceiveAudience } from '../policy';
import { EVENTS_CHANNEL } from './outbox';
import { frameText, sendPreframed, sendPreframedMany } from './preframed';

export interface StoredEvent {
  id: string;
  topic: string;
  type: string;
  payload: unknown;
  audience: string;
  /** The serialised event message, built once per event however many sockets receive it. */
  json?: Buffer;
  /** The same message framed as a websocket frame, once per event (an event has one audience). */
  framed?: Buffer;
  /** The id as a number to compare, parsed once per event (not once per socket). */
  seq?: bigint;
}

/** Told of every event this instance applies, in id order, before it is delivered (the page cache). */
export type EventListener = (event: StoredEvent) => void;

/** What the hub needs to know about one connected socket. */
export interface Subscriber {
  socket: WebSocket;
  /** Who reads on this socket, as of the last session check (role and suspension can change). */
  viewer: Viewer;
  topics: Set<string>;
  /** Each topic name as the client asked for it, with the stored topic it resolved to (`user:me` → `user:42`). */
  names: Map<string, string>;
  /** While a replay runs, live events wait here (delivered after the replay, without duplicates). */
  pending: StoredEvent[] | null;
  /** Highest event id sent to this socket, per topic (replays and live delivery never double up). */
  lastSent: Map<string, bigint>;
}

export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Live events held for one socket while its replay runs. */
const MAX_PENDING = 10_000;
const POLL_MS = 2000;
const BATCH = 500;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;
/** Shows up in pg_stat_activity, so operators (and tests) can find the LISTEN connections. */
export const LISTEN_APPLICATION_NAME = 'plein-realtime-listen';

export const mayReceive = (sub: Pick<Subscriber, 'viewer'>, audience: string): boolean => mayReceiveAudience(sub.viewer, audience);

/**
 * One per app instance. LISTENs on the outbox channel (a wake-up only: the event table is the
 * truth), reads new events in id order and fans them out to this instance's subscribers.
 */
export class Hub {
  private readonly byTopic = new Map<string, Set<Subscriber>>();
  readonly subscribers = new Set<Subscriber>();
  /** null until the starting point is known (the database may be down at start). */
  private lastDelivered: bigint | null = null;
  private listener: pg.Client | null = null;
  private pumping: Promise<void> | null = null;
  private again = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private stopped = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly listeners: EventListener[] = [];
  /** Callers of catchUp() waiting for a read that starts after their call. */
  private catchingUp: Array<() => void> = [];

  constructor(
    private readonly db: Db,
    private readonly databaseUrl: string,
    private readonly log: FastifyBaseLogger,
  ) {}

  async start(): Promise<void> {
    await this.initialise().catch((err) => this.log.warn({ err: (err as Error).message }, 'realtime: database unavailable at start'));
    await this.listen();
    // A safety net for a missed wake-up (e.g. while the LISTEN connection reconnects).
    this.pollTimer = setInterval(() => this.wake(), POLL_MS);
    this.pollTimer.unref();
  }

  /** The newest event id this instance has delivered (null before it knows where to start). */
  get delivered(): bigint | null {
    return this.lastDelivered;
  }

  /** Calls `listener` for every event applied from now on, before its delivery. */
  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /** Is the LISTEN connection up? (health and tests) */
  get listening(): boolean {
    return this.listener !== null;
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: LISTEN_APPLICATION_NAME, keepAlive: true });
    let lost = false;
    const onLost = (why: string) => {
      if (lost) return;
      lost = true;
      if (this.listener === client) this.listener = null;
      client.end().catch(() => {});
      if (this.stopped) return;
      this.log.warn({ err: why }, 'realtime: LISTEN connection lost; reconnecting');
      this.scheduleReconnect();
    };
    client.on('notification', () => this.wake());
    client.on('error', (err) => onLost(err.message));
    client.on('end', () => onLost('connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.stopped) {
        await client.end().catch(() => {});
        return;
      }
      this.listener = client;
      this.reconnectDelay = RECONNECT_MIN_MS;
      // Whatever was committed while we were not listening is read now.
      this.wake();
    } catch (err) {
      onLost((err as Error).message);
    }
  }

  /** Exponential backoff with jitter, 0.5 s up to 30 s. */
  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.reconnectDelay * (0.75 + Math.random() / 2);
    this.reconnectDelay = Math.min(RECONNECT_MAX_MS, this.reconnectDelay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.listen();
    }, delay);
    this.reconnectTimer.unref();
  }

  /**
   * Resolves once a read of the event table that started after this call has been applied: whatever
   * was committed before it (a write this instance just answered) has reached the listeners and subscribers.
   */
  catchUp(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.catchingUp.push(resolve);
      this.wake();
    });
  }

  /** Coalesces wake-ups: one pump at a time, and one more round if woken meanwhile. */
  wake(): void {
    if (this.stopped) {
      for (const resolve of this.catchingUp.splice(0)) resolve();
      return;
    }
    if (this.pumping) {
      this.again = true;
      return;
    }
    const waiting = this.catchingUp.splice(0);
    this.pumping = this.pump().finally(() => {
      for (const resolve of waiting) resolve();
      this.pumping = null;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Live delivery starts at the newest event that exists now; older ones are for replays. */
  private async initialise(): Promise<void> {
    const row = await this.db.selectFrom('event_counter').select('last_id').where('id', '=', 1).executeTakeFirst();
    this.lastDelivered = BigInt(row?.last_id ?? 0);
  }

  private async pump(): Promise<void> {
    try {
      if (this.lastDelivered === null) await this.initialise();
      for (;;) {
        const events = await this.db
          .selectFrom('event')
          .select(['id', 'topic', 'type', 'payload', 'audience'])
          .where('id', '>', this.lastDelivered!.toString())
          .orderBy('id')
          .limit(BATCH)
          .execute();
        // Each event is decided in order (listeners first, then who may receive it); the frames a
        // socket gets from this batch go out in one write (a reply's events: one syscall per watcher).
        const out: Outgoing = new Map();
        for (const event of events) {
          this.lastDelivered = BigInt(event.id);
          for (const listener of this.listeners) {
            try {
              listener(event);
            } catch (err) {
              this.log.error({ err: (err as Error).message }, 'realtime: event listener failed');
            }
          }
          this.deliver(event, out);
        }
        flush(out);
        if (events.length < BATCH) return;
      }
    } catch (err) {
      if (!this.stopped) this.log.warn({ err: (err as Error).message }, 'realtime: reading events failed');
    }
  }

  private deliver(event: StoredEvent, out: Outgoing): void {
    const subs = this.byTopic.get(event.topic);
    if (!subs) return;
    for (const sub of subs) {
      if (!mayReceive(sub, event.audience)) continue;
      if (sub.pending) {
        // A replay that cannot keep up with live traffic is not allowed to hold memory without bound.
        if (sub.pending.length >= MAX_PENDING) sub.socket.terminate();
        else sub.pending.push(event);
      } else queueLive(sub, event, out);
    }
  }

  add(sub: Subscriber): void {
    this.subscribers.add(sub);
  }

  subscribe(sub: Subscriber, topic: string): void {
    sub.topics.add(topic);
    let set = this.byTopic.get(topic);
    if (!set) {
      set = new Set();
      this.byTopic.set(topic, set);
    }
    set.add(sub);
  }

  unsubscribe(sub: Subscriber, topic: string): void {
    sub.topics.delete(topic);
    // Nothing of this topic reaches the socket any more; a later subscribe starts afresh (bounded map).
    sub.lastSent.delete(topic);
    const set = this.byTopic.get(topic);
    set?.delete(sub);
    if (set && set.size === 0) this.byTopic.delete(topic);
  }

  remove(sub: Subscriber): void {
    for (const topic of [...sub.topics]) this.unsubscribe(sub, topic);
    this.subscribers.delete(sub);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
    // Let a running read finish before the pool closes.
    await this.pumping?.catch(() => {});
  }
}

/** Frames decided for each socket during one batch, written together at its end. */
type Outgoing = Map<Subscriber, StoredEvent[]>;

function flush(out: Outgoing): void {
  for (const [sub, events] of out) {
    if (sub.socket.readyState !== sub.socket.OPEN) continue;
    if (events.length === 1) sendPreframed(sub.socket, events[0].framed!, events[0].json!);
    else sendPreframedMany(sub.socket, events.map((e) => e.framed!), events.map((e) => e.json!));
  }
}

/**
 * Whether `event` goes to this socket now: not sent already (replay and live overlap), the socket is
 * open, and it keeps up (a consumer that cannot is cut off instead of buffering without bound).
 * Records it as sent.
 */
function admit(sub: Subscriber, event: StoredEvent): boolean {
  event.seq ??= BigInt(event.id);
  const id = event.seq;
  if (id <= (sub.lastSent.get(event.topic) ?? 0n)) return false;
  if (sub.socket.readyState !== sub.socket.OPEN) return false;
  if (sub.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
    sub.socket.terminate();
    return false;
  }
  sub.lastSent.set(event.topic, id);
  return true;
}

/** The event's frame, built once for every socket that gets it as stored. */
function frameOf(event: StoredEvent): void {
  event.json ??= Buffer.from(JSON.stringify({ type: 'event', id: event.id, topic: event.topic, event: event.type, data: event.payload }));
  event.framed ??= frameText(event.json);
}

/** Live delivery: the frame joins what this socket gets from the batch (written by flush). */
function queueLive(sub: Subscriber, event: StoredEvent, out: Outgoing): void {
  if (!admit(sub, event)) return;
  frameOf(event);
  const queued = out.get(sub);
  if (queued) queued.push(event);
  else out.set(sub, [event]);
}

/**
 * Sends one event frame at once (replay, and live events held while it ran). `presented` replaces the
 * stored payload: a replay shows the event as this viewer may see it now.
 */
export function send(sub: Subscriber, event: StoredEvent, presented?: unknown): void {
  if (!admit(sub, event)) return;
  if (presented !== undefined) {
    sub.socket.send(JSON.stringify({ type: 'event', id: event.id, topic: event.topic, event: event.type, data: presented }));
    return;
  }
  frameOf(event);
  sendPreframed(sub.socket, event.framed!, event.json!);
}
