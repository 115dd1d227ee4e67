import { type TSchema, Type } from '@sinclair/typebox';

/** Ids are bigint in PostgreSQL and strings in the API. */
export const Id = Type.String({ pattern: '^[1-9][0-9]{0,18}$', description: 'numeric id as a string' });
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
export const IdCursor = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,19}$' }) }, { additionalProperties: false });
