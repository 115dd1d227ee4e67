// Child process of the bench: opens N websocket clients on one thread and reports, for every
// reply event, when the last client received it. Talks to the parent over IPC.
import WebSocket from 'ws';

const [url, topic, countArg] = process.argv.slice(2);
const count = Number(countArg);
const now = () => performance.timeOrigin + performance.now();
const received = new Map<string, { n: number; last: number }>();
let open = 0;
let errors = 0;
const sockets: WebSocket[] = [];

function connectOne(): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { origin: 'http://bench.local' } });
    sockets.push(ws);
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'subscribed') {
        open++;
        resolve();
        return;
      }
      if (frame.type !== 'event' || frame.event !== 'reply.created') return;
      const at = now();
      const r = received.get(frame.id) ?? { n: 0, last: 0 };
      r.n++;
      r.last = Math.max(r.last, at);
      received.set(frame.id, r);
      if (r.n === count) process.send!({ type: 'delivered', postId: frame.data.post.id, lastAt: r.last });
    });
    ws.on('error', () => {
      errors++;
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
    for (const ws of sockets) ws.terminate();
    process.send!({ type: 'stopped', errors });
    setTimeout(() => process.exit(0), 100);
  }
});
