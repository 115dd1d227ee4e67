// One framing per event, not per socket: the websocket frame (header + JSON) is built once and the
// same bytes are written to every socket that may see it. `ws` frames each send() anew (a header
// and, for small payloads, a copy); with 5,000 watchers that is 5,000 headers and copies per reply.
import type WebSocket from 'ws';
import * as ws from 'ws';

// ws exports its Sender (a named export of its ES module, WebSocket.Sender in CommonJS) but @types/ws
// does not declare it.
type FrameOptions = { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean };
type SenderClass = { frame(data: Buffer, options: FrameOptions): Buffer[] };
const wsModule = ws as unknown as { Sender?: SenderClass; default?: { Sender?: SenderClass } };
const Sender: SenderClass =
  wsModule.Sender ??
  wsModule.default?.Sender ??
  (() => {
    throw new Error('ws: Sender not found (the ws package changed its exports)');
  })();

/** A text message framed once (unmasked, final, no compression: what a server sends). */
export function frameText(json: string | Buffer): Buffer {
  const data = typeof json === 'string' ? Buffer.from(json) : json;
  return Buffer.concat(Sender.frame(data, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false }));
}

// ws keeps these private; they are read only to decide whether pre-framed bytes may bypass its sender.
interface WsInternals {
  _socket?: { write(chunk: Buffer): boolean; writable?: boolean } | null;
  _sender?: { _state?: number; _queue?: unknown[] } | null;
  _extensions?: Record<string, unknown>;
}

/**
 * Writes a pre-framed message. Straight to the TCP socket when ws's sender is idle and no extension
 * (permessage-deflate) is negotiated — exactly what ws's own sendFrame does —, else through ws with
 * the unframed JSON, so ordering and compression stay ws's business.
 */
export function sendPreframed(socket: WebSocket, framed: Buffer, json: Buffer): void {
  const raw = idleRawSocket(socket);
  if (raw) raw.write(framed);
  else socket.send(json, { binary: false });
}

/** Several pre-framed messages in one write (one syscall), in order; through ws one by one when its sender is busy. */
export function sendPreframedMany(socket: WebSocket, framed: Buffer[], json: Buffer[]): void {
  const raw = idleRawSocket(socket);
  if (raw) raw.write(Buffer.concat(framed));
  else for (const j of json) socket.send(j, { binary: false });
}

/** The TCP socket when writing to it directly is what ws itself would do now, else null. */
function idleRawSocket(socket: WebSocket) {
  const internals = socket as unknown as WsInternals;
  const sender = internals._sender;
  const raw = internals._socket;
  if (!raw || !sender || sender._state !== 0 || sender._queue?.length) return null;
  // Negotiated once, at the handshake; asked without allocating (this runs once per socket per event).
  for (const _ in internals._extensions ?? {}) return null;
  return raw;
}
