// Topic names for live events (shared/events.ts): build them here instead of by hand, so a typo cannot
// subscribe to nothing. Kept apart from the catalogue so the client takes them without TypeBox.
export const topics = {
  thread: (id: string | number) => `thread:${id}` as const,
  channel: (slug: string) => `channel:${slug}` as const,
  user: (id: string | number) => `user:${id}` as const,
  /** The signed-in user's own topic; the server answers it as user:<id>. */
  me: 'user:me' as const,
  /** Moderation: reports and actions, for moderators who are not suspended. */
  mod: 'mod' as const,
};
export type Topic = ReturnType<(typeof topics)['thread' | 'channel' | 'user']> | typeof topics.mod;

