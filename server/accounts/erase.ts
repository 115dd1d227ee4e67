// AVG/GDPR: everything Plein holds about a member, and erasing their account. Each domain hands over
// and forgets its own part; posts stay, under "Verwijderd account".
import { eraseChannelDataOf } from '../channels/members';
import { eraseOidcDataOf } from '../oidc/login';
import { randomBytes } from 'node:crypto';
import { uploadsBy } from '../attachments/attach';
import type { Db } from '../db';
import { eraseNotificationDataOf, notificationDataOf } from '../notifications/notify';
import { postsWrittenBy } from '../threads/queries';
import { eraseReaderDataOf, readerDataOf } from '../threads/viewer';
import { eraseVideoSessionDataOf, videoSessionDataOf } from '../video-sessions/sessions';
import { requireAnotherAdmin } from './accounts';
import { hashPassword, requirePassword } from './password';
import { toUser } from './present';
import { erasedEmail, findUserById } from './users';
import { announceAuthorChange } from './author-events';

/** The member's data as one JSON document (inzageverzoek). */
export async function exportMyData(db: Db, userId: string) {
  const user = (await findUserById(db, userId))!;
  const [posts, { notifications, subscriptions }, videoSessions, uploads, { appreciations, reading }] = await Promise.all([
    postsWrittenBy(db, userId),
    notificationDataOf(db, userId),
    videoSessionDataOf(db, userId),
    uploadsBy(db, userId),
    readerDataOf(db, userId),
  ]);
  return { exportedAt: new Date().toISOString(), account: toUser(user, { withEmail: true }), posts, notifications, subscriptions, videoSessions, uploads, appreciations, reading };
}

const ERASED_NAME = 'Verwijderd account';

/** Erases the account after checking its password: personal data goes, posts stay as "Verwijderd account", every session ends. */
export async function eraseAccount(db: Db, userId: string, password: string): Promise<void> {
  await requirePassword(db, userId, password, 'password');
  const unusable = await hashPassword(randomBytes(32).toString('hex'));
  await db.transaction().execute(async (trx) => {
    const { role } = await trx.selectFrom('user').select('role').where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
    if (role === 'admin') await requireAnotherAdmin(trx, userId);
    await trx.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
    await trx.deleteFrom('account_token').where('user_id', '=', userId).execute();
    await trx
      .updateTable('user')
      .set({ display_name_skeleton: null, totp_secret: null, totp_enabled_at: null, totp_last_step: null, email: erasedEmail(userId), display_name: ERASED_NAME, job_title: '', organisation: '', bio: '', avatar_key: null, password_hash: unusable, role: 'member', organisation_id: null, updated_at: new Date() })
      .where('id', '=', userId)
      .execute();
    await announceAuthorChange(trx, userId, userId);
    await eraseNotificationDataOf(trx, userId, ERASED_NAME);
    await eraseVideoSessionDataOf(trx, userId);
    await eraseReaderDataOf(trx, userId);
    await eraseOidcDataOf(trx, userId);
    await eraseChannelDataOf(trx, userId);
    await trx.deleteFrom('user_session').where('user_id', '=', userId).execute();
  });
}
