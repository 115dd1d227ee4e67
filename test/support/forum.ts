import type { TestApp, TestUser } from './app';

/** Creates a channel straight in the database (channel creation itself is tested in channels.test.ts). */
export async function createChannel(t: Pick<TestApp, 'db'>, slug: string, postingPolicy: 'experts_ask' | 'open' = 'open') {
  return t.db
    .insertInto('channel')
    .values({ slug, name: slug[0].toUpperCase() + slug.slice(1), description: '', posting_policy: postingPolicy, last_activity_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Starts a thread through the API and returns the response body's thread. */
export async function startThread(user: TestUser, channelSlug: string, fields: { title?: string; body?: string; kind?: 'question' | 'discussion'; tags?: string[] } = {}) {
  const res = await user.agent.post(`/api/channels/${channelSlug}/threads`).send({
    title: fields.title ?? 'Hoe organiseren jullie de keukentafelgesprekken?',
    body: fields.body ?? '<p>Wij zijn benieuwd naar jullie ervaringen.</p>',
    kind: fields.kind ?? 'question',
    ...(fields.tags ? { tags: fields.tags } : {}),
  });
  if (res.status !== 201) throw new Error(`start thread failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.thread as { id: string; postId: string; title: string; channelSlug: string };
}

export async function replyTo(user: TestUser, threadId: string, body = '<p>Bij ons werkt dat zo.</p>', extra: Record<string, unknown> = {}) {
  const res = await user.agent.post(`/api/threads/${threadId}/replies`).send({ body, ...extra });
  if (res.status !== 201) throw new Error(`reply failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.post as { id: string; threadId: string; body: string };
}
