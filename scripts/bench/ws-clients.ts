// Child process of the bench: opens N websocket clients on one thread and reports, for every
// reply event, when the last client received it. Talks to the parent over IPC.
import WebSocket from 'ws';

const [url, topic, countArg] = process.argv.slice(2);
const count = Number(countArg);
const now = () => performance.timeOrigin + performance.now();
const received = new Map<string, { n: number; last: number; postId: string }>();
let open = 0;
let errors = 0;
/** Sockets closed by the server or the network before we stopped. */
let closed = 0;
let stopping = false;
const sockets: WebSocket[] = [];

function connectOne(): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    sockets.push(ws);
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
    });
    ws.on('message', (data) => {
      // Cheap check first: only reply events are parsed.
      const text = data.toString();
      if (!text.includes('"reply.created"')) {
        if (text.includes('"subscribed"')) {
          open++;
          resolve();
        } else if (text.includes('"error"')) {
          errors++;
          resolve();
        }
        return;
      }
      const at = now();
      // The clients share the machine with the server: parse a frame fully only once per event.
      const id = /"id":"(\d+)"/.exec(text)![1];
      let r = received.get(id);
      if (!r) {
        r = { n: 0, last: 0, postId: JSON.parse(text).data.post.id as string };
        received.set(id, r);
      }
      r.n++;
      r.last = Math.max(r.last, at);
      if (r.n === open) {
        process.send!({ type: 'delivered', postId: r.postId, lastAt: r.last });
        received.delete(id);
      }
    });
    ws.on('error', () => {
      errors++;
      resolve();
    });
    ws.on('close', () => {
      if (!stopping) closed++;
      resolve();
    });
  });
}

(async () => {
  // Connect in batches so the handshake burst stays bounded.
  for (let i = 0; i < count; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, count - i) }, connectOne));
  }
  process.send!({ type: 'ready', open, errors });
})();

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'stop') {
    stopping = true;
    for (const ws of sockets) ws.terminate();
    process.send!({ type: 'stopped', errors, closed });
    setTimeout(() => process.exit(0), 100);
  }
});
