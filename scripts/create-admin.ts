// npm run create-admin -- --email you@example.nl --password '...' [--name 'Your Name']
// Creates the account as admin, or promotes an existing account (the password is then left alone).
import { parseArgs } from 'node:util';
import { displayNameSkeleton, normaliseDisplayName } from '../server/accounts/display-name';
import { hashPassword, newPasswordProblem } from '../server/accounts/password';
import { findUserByEmail } from '../server/accounts/users';
import { ConfigError, loadConfig } from '../server/config';
import { createDb } from '../server/db';
import { migrateToLatest } from '../server/db/migrate';
import { resolveDatabase } from '../server/db/resolve';

const { values } = parseArgs({
  options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
});

function fail(message: string): never {
  console.error(`create-admin: ${message}`);
  process.exit(1);
}

if (!values.email || !/^[^@\s]+@[^@\s]+$/.test(values.email)) fail('give --email with a valid address');

try {
  const config = loadConfig();
  const database = await resolveDatabase(config, () => {}, 'script');
  const db = createDb(database.url, { max: 1 });
  try {
    await migrateToLatest(db);
    const existing = await findUserByEmail(db, values.email);
    if (existing) {
      await db.updateTable('user').set({ role: 'admin', updated_at: new Date() }).where('id', '=', existing.id).execute();
      console.log(`${existing.email} is now an admin`);
    } else {
      // The rule the API applies to a new password.
      const password = values.password ?? '';
      const problem = newPasswordProblem(password);
      if (problem) fail(`--password ${problem}`);
      await db
        .insertInto('user')
        .values({
          email: values.email,
          display_name: normaliseDisplayName(values.name ?? values.email.split('@')[0]),
          display_name_skeleton: displayNameSkeleton(values.name ?? values.email.split('@')[0]),
          email_verified_at: new Date(),
          password_hash: await hashPassword(password),
          role: 'admin',
          avatar_key: null,
          suspended_until: null,
          suspension_reason: null,
        })
        .execute();
      console.log(`admin account ${values.email} created`);
    }
  } finally {
    await db.destroy();
    await database.stop();
  }
} catch (err) {
  fail(`${err instanceof ConfigError ? 'configuration error: ' : ''}${(err as Error).message}`);
}
