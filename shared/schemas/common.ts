import { type TSchema, Type } from '@sinclair/typebox';

/** A regular expression for the decimal integers 0..max (no leading zeros), max given as digits. */
function upTo(max: string): string {
  const shorter = max.length > 1 ? [`[0-9]`, ...(max.length > 2 ? [`[1-9][0-9]{1,${max.length - 2}}`] : [])] : [];
  const same: string[] = [];
  for (let i = 0; i < max.length; i++) {
    const d = Number(max[i]);
    const low = i === 0 ? 1 : 0;
    if (d > low) same.push(`${max.slice(0, i)}[${low}-${d - 1}][0-9]{${max.length - i - 1}}`);
  }
  same.push(max);
  return `(?:${[...shorter, ...same].join('|')})`;
}

/** PostgreSQL's bigint range: ids, cursors and microsecond times beyond it are refused, never passed on. */
export const BIGINT_MAX = '9223372036854775807';
const UNSIGNED = upTo(BIGINT_MAX);
/** 1..2^63-1 */
export const ID_PATTERN = `^(?!0)${UNSIGNED}$`;
/** 0..2^63-1 */
export const UNSIGNED_BIGINT_PATTERN = `^${UNSIGNED}$`;
/** -(2^63-1)..2^63-1 */
export const SIGNED_BIGINT_PATTERN = `^-?${UNSIGNED}$`;
const idRegex = new RegExp(ID_PATTERN);
export const isId = (value: string): boolean => idRegex.test(value);

/** Ids are bigint in PostgreSQL and strings in the API. */
export const Id = Type.String({ pattern: ID_PATTERN, description: 'numeric id as a string (1 to 2^63-1)' });
export const IdParams = Type.Object({ id: Id });

export const DateTime = Type.String({ format: 'date-time' });

/** Why a moderator or admin acted, when they say: optional, kept in the audit log. */
export const AuditReason = Type.Optional(Type.String({ maxLength: 500 }));

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'machine-readable snake_case code' }),
      message: Type.String(),
      fields: Type.Optional(Type.Record(Type.String(), Type.String())),
    }),
  },
  { $id: 'ErrorBody' },
);

/** Query string of every paginated list: keyset cursor, never an offset. */
export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** The decoded cursor of a list paged by id alone (the opaque cursor is its base64url JSON). */
export const IdCursor = Type.Object({ id: Type.String({ pattern: UNSIGNED_BIGINT_PATTERN }) }, { additionalProperties: false });

/** A calendar date PostgreSQL can hold and people mean: years 1000 to 9999. */
export const DateOnly = Type.String({ format: 'date', pattern: '^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$' });
