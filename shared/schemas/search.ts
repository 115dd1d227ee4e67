import { type Static, Type } from '@sinclair/typebox';
import { DateOnly, Id } from './common';
import { ThreadKind, ThreadSummary } from './forum';

export const SEARCH_MAX_LENGTH = 200;

export const SearchQuery = Type.Object({
  /** Words (websearch syntax). Without words a filter (author, tag or channel) is needed: newest first. */
  q: Type.Optional(Type.String({ minLength: 1, maxLength: SEARCH_MAX_LENGTH, pattern: '\\S' })),
  channel: Type.Optional(Type.String({ maxLength: 60 })),
  author: Type.Optional(Id),
  tag: Type.Optional(Type.String({ maxLength: 40 })),
  kind: Type.Optional(ThreadKind),
  unanswered: Type.Optional(Type.Boolean()),
  /** Only threads with a handout on a post the caller may see. */
  hasAttachments: Type.Optional(Type.Boolean()),
  /** Only matches in the text of handouts (PDF, Word, Excel, PowerPoint, OpenDocument). */
  inAttachments: Type.Optional(Type.Boolean()),
  from: Type.Optional(DateOnly),
  to: Type.Optional(DateOnly),
  cursor: Type.Optional(Type.String({ maxLength: 300 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
});

export const SearchHit = Type.Object({
  thread: ThreadSummary,
  /** The best matching reply (absent when the title, tags or opening post matched best). */
  post: Type.Optional(Type.Object({ id: Id, authorName: Type.String(), createdAt: Type.String() })),
  /** The handout whose text matched best ("in bijlage <naam>"); the snippet is then from its text. */
  attachment: Type.Optional(Type.Object({ id: Id, filename: Type.String() })),
  /** HTML: everything escaped except <mark>…</mark> around the matches. */
  snippet: Type.String(),
});

export const SimilarQuery = Type.Object({ title: Type.String({ minLength: 3, maxLength: SEARCH_MAX_LENGTH }) });

export const SimilarResult = Type.Object({ items: Type.Array(ThreadSummary) });

/** A group of terms that mean the same for search (Wmo ↔ Wet maatschappelijke ondersteuning). */
export const Synonym = Type.Object({
  id: Id,
  terms: Type.Array(Type.String()),
  /** 'repo': the list in the repository (read-only here); 'admin': added on the Beheer page. */
  source: Type.Union([Type.Literal('repo'), Type.Literal('admin')]),
});
export type Synonym = Static<typeof Synonym>;

export const SynonymBody = Type.Object(
  { terms: Type.Array(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }), { minItems: 2, maxItems: 10 }) },
  { additionalProperties: false },
);
export type SynonymBody = Static<typeof SynonymBody>;
