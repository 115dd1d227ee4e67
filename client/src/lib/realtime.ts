/**
 * One shared websocket for the whole app. Features subscribe to topics; after a dropped connection
 * the client reconnects with backoff and asks for what it missed (lastEventId per topic). On
 * `replay_gap` the topic's handlers get `onGap` so the page reloads its data.
 */
import { useEffect, useRef } from 'react';
import type { LiveEvent } from '../../../shared/events';

export type { LiveEvent };

/** A frame from the server: a live event, or a control answer (subscribed, errors, pong). */
type ServerFrame = ({ type: 'event' } & LiveEvent) | { type: 'error'; code: string; topic?: string } | { type: 'subscribed' | 'unsubscribed' | 'replayed'; topics: string[] } | { type: 'pong' };

interface Handler {
  onEvent(e: LiveEvent): void;
  onGap?(): void;
}

type Status = 'connecting' | 'online' | 'offline';

const handlers = new Map<string, Set<Handler>>();
const lastIds = new Map<string, string>();
const statusListeners = new Set<(s: Status) => void>();
let socket: WebSocket | null = null;
let status: Status = 'connecting';
let attempt = 0;
let reconnectTimer: ReturnType<typeof setTimeout> | null = null;

function setStatus(next: Status) {
  status = next;
  for (const l of statusListeners) l(next);
}

function sendSubscribe(topic: string) {
  if (socket?.readyState !== WebSocket.OPEN) return;
  const lastEventId = lastIds.get(topic);
  socket.send(JSON.stringify({ type: 'subscribe', topics: [topic], ...(lastEventId ? { lastEventId } : {}) }));
}

function connect() {
  if (socket && socket.readyState <= WebSocket.OPEN) return;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`;
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    attempt = 0;
    setStatus('online');
    for (const topic of handlers.keys()) sendSubscribe(topic);
  };
  ws.onmessage = (msg) => {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(msg.data)) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'event') {
      const { type: _frame, ...event } = frame;
      const prev = lastIds.get(event.topic);
      if (!prev || BigInt(event.id) > BigInt(prev)) lastIds.set(event.topic, event.id);
      // user:me arrives as user:<id>; deliver to user:me handlers too.
      const targets = [event.topic, ...(event.topic.startsWith('user:') ? ['user:me'] : [])];
      for (const topic of targets) for (const h of handlers.get(topic) ?? []) h.onEvent(event as LiveEvent);
    } else if (frame.type === 'error' && frame.code === 'replay_gap') {
      for (const [topic, set] of handlers) {
        lastIds.delete(topic);
        for (const h of set) h.onGap?.();
      }
    }
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    setStatus('offline');
    scheduleReconnect();
  };
  ws.onerror = () => ws.close();
}

function scheduleReconnect() {
  if (reconnectTimer || handlers.size === 0) return;
  const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
  attempt += 1;
  reconnectTimer = setTimeout(() => {
    reconnectTimer = null;
    connect();
  }, delay);
}

/**
 * Subscribes to a topic; returns the unsubscribe function. `since` is the lastEventId of the data the
 * page just loaded: the server replays everything after it, so nothing falls between load and live.
 */
export function subscribe(topic: string, handler: Handler, since?: string): () => void {
  let set = handlers.get(topic);
  const needsReplay = !!since && !lastIds.has(topic);
  if (needsReplay) lastIds.set(topic, since!);
  if (!set) {
    set = new Set();
    handlers.set(topic, set);
    if (socket?.readyState === WebSocket.OPEN) sendSubscribe(topic);
  } else if (needsReplay && socket?.readyState === WebSocket.OPEN) {
    // Someone subscribed live already; ask again from the loaded data's watermark.
    sendSubscribe(topic);
  }
  set.add(handler);
  connect();
  return () => {
    set!.delete(handler);
    if (set!.size === 0) {
      handlers.delete(topic);
      lastIds.delete(topic);
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'unsubscribe', topics: [topic] }));
    }
  };
}

/**
 * Subscribes a page to `topic` from the watermark of its loaded data (`since`; nothing happens until
 * it is there). Handlers may change on every render (language, user): they are read through a ref,
 * so the subscription — and its replay from `since` — is made once per topic, not again per render.
 */
export function useLiveTopic(topic: string, since: string | null, handler: Handler): void {
  const current = useRef(handler);
  current.current = handler;
  const ready = since !== null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs for the listed keys on purpose; the other values are read through refs or are stable
  useEffect(() => {
    if (!ready) return;
    return subscribe(topic, { onEvent: (e) => current.current.onEvent(e), onGap: () => current.current.onGap?.() }, since!);
    // `since` is read once per subscription: later reloads must not replay from an older watermark.
  }, [topic, ready]);
}

/** Tells the listener whether the live connection is up (for the offline notice). */
export function onStatus(listener: (s: Status) => void): () => void {
  statusListeners.add(listener);
  listener(status);
  return () => statusListeners.delete(listener);
}

/** Reconnect now (e.g. after login, so the socket carries the new session). */
export function reconnect() {
  socket?.close();
  socket = null;
  attempt = 0;
  connect();
}

window.addEventListener('online', () => {
  if (!socket) connect();
});
