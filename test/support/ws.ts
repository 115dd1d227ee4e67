import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { PUBLIC_URL } from './app';

export interface Frame {
  type: string;
  id?: string;
  topic?: string;
  event?: string;
  code?: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read payloads of every event type and assert on them
  data?: any;
  topics?: string[];
}

export interface TestSocket {
  ws: WebSocket;
  frames: Frame[];
  send(frame: unknown): void;
  /** Resolves with the first frame (after those already consumed) that matches. */
  next(match: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Waits until `count` frames match, returning them in arrival order. */
  collect(match: (f: Frame) => boolean, count: number, timeoutMs?: number): Promise<Frame[]>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Listens the app on 127.0.0.1 with a free port (once) and returns its ws:// base URL. */
export async function wsBase(app: FastifyInstance): Promise<string> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `ws://127.0.0.1:${address.port}`;
}

export async function connect(app: FastifyInstance, options: { cookie?: string; origin?: string } = {}): Promise<TestSocket> {
  const base = await wsBase(app);
  const headers: Record<string, string> = { origin: options.origin ?? PUBLIC_URL };
  if (options.cookie) headers.cookie = options.cookie;
  const ws = new WebSocket(`${base}/api/ws`, { headers });
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
  });
  const collect = (match: (f: Frame) => boolean, count: number, timeoutMs = 10_000) =>
    new Promise<Frame[]>((resolve, reject) => {
      const check = () => {
        const found = frames.filter(match);
        if (found.length >= count) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found.slice(0, count));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${count} frames; got ${JSON.stringify(frames)}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    ws,
    frames,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: async (match, timeoutMs) => (await collect(match, 1, timeoutMs))[0],
    collect,
    closed,
    close: () => ws.close(),
  };
}
