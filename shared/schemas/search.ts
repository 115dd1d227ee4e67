import { Type } from '@sinclair/typebox';
import { DateOnly, Id } from './common';
import { ThreadKind, ThreadSummary } from './forum';

export const SEARCH_MAX_LENGTH = 200;

export const SearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: SEARCH_MAX_LENGTH, pattern: '\\S' }),
  channel: Type.Optional(Type.String({ maxLength: 60 })),
  author: Type.Optional(Id),
  tag: Type.Optional(Type.String({ maxLength: 40 })),
  kind: Type.Optional(ThreadKind),
  unanswered: Type.Optional(Type.Boolean()),
  /** Only threads with a handout on a post the caller may see. */
  hasAttachments: Type.Optional(Type.Boolean()),
  from: Type.Optional(DateOnly),
  to: Type.Optional(DateOnly),
  cursor: Type.Optional(Type.String({ maxLength: 300 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
});

export const SearchHit = Type.Object({
  thread: ThreadSummary,
  /** The best matching reply (absent when the title, tags or opening post matched best). */
  post: Type.Optional(Type.Object({ id: Id, authorName: Type.String(), createdAt: Type.String() })),
  /** HTML: everything escaped except <mark>…</mark> around the matches. */
  snippet: Type.String(),
});

export const SimilarQuery = Type.Object({ title: Type.String({ minLength: 3, maxLength: SEARCH_MAX_LENGTH }) });
