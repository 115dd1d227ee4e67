import type { TSchema, Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { badRequest } from './errors';

/** Keyset cursors are opaque base64url JSON, validated against a schema on the way back in. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T extends TSchema>(schema: T, cursor: string | undefined): Static<T> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('invalid_cursor', 'The cursor is not valid.', { cursor: 'is not valid' });
  }
  if (!Value.Check(schema, parsed)) throw badRequest('invalid_cursor', 'The cursor is not valid.', { cursor: 'is not valid' });
  return parsed as Static<T>;
}
