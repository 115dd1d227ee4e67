import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DeleteAccountBody } from '../../shared/schemas/accounts';
import { ErrorBody } from '../../shared/schemas/common';
import { requireUser } from './guards';
import { hashPassword, requirePassword } from './password';
import { toUser } from './present';
import { erasedEmail, findUserById } from './users';

/** AVG/GDPR: a member can download everything Plein holds about them, and delete their account. */
const privacyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.db;

  app.get('/api/me/export', { schema: { tags: ['accounts'], summary: 'Download all my data (AVG inzageverzoek)', response: { 401: ErrorBody } } }, async (request, reply) => {
    const me = requireUser(request);
    const user = (await findUserById(db, me.id))!;
    const [posts, notifications, subscriptions, registrations, interests, uploads] = await Promise.all([
      db.selectFrom('post as p').innerJoin('thread as t', 't.id', 'p.thread_id').select(['p.id', 'p.thread_id', 't.title', 'p.is_opening', 'p.body_text', 'p.created_at', 'p.edited_at', 'p.hidden_at', 'p.deleted_at']).where('p.author_id', '=', me.id).orderBy('p.id').execute(),
      db.selectFrom('notification').select(['id', 'kind', 'thread_id', 'data', 'read_at', 'created_at']).where('user_id', '=', me.id).orderBy('id').execute(),
      db.selectFrom('subscription').select(['target_type', 'target_id', 'level']).where('user_id', '=', me.id).execute(),
      db.selectFrom('video_session_registration').select(['session_id', 'status', 'created_at']).where('user_id', '=', me.id).execute(),
      db.selectFrom('video_session_interest').select(['session_id', 'created_at']).where('user_id', '=', me.id).execute(),
      db.selectFrom('attachment').select(['id', 'filename', 'content_type', 'size', 'post_id', 'created_at']).where('uploader_id', '=', me.id).execute(),
    ]);
    const data = { exportedAt: new Date().toISOString(), account: toUser(user, { withEmail: true }), posts, notifications, subscriptions, videoSessions: { registrations, interests }, uploads };
    return reply
      .header('content-disposition', `attachment; filename="plein-gegevens-${me.id}.json"`)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(data, null, 2) as never);
  });

  app.delete(
    '/api/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Delete my account: personal data is erased, posts stay as "Verwijderd account"',
        body: DeleteAccountBody,
        response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody },
      },
      config: { rateLimit: { max: app.config.rateLimits.loginPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const me = requireUser(request);
      await requirePassword(db, me.id, request.body.password, 'password');
      const unusable = await hashPassword(randomBytes(32).toString('hex'));
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('user')
          .set({ email: erasedEmail(me.id), display_name: 'Verwijderd account', job_title: '', organisation: '', bio: '', avatar_key: null, password_hash: unusable, role: 'member', updated_at: new Date() })
          .where('id', '=', me.id)
          .execute();
        await trx.deleteFrom('notification').where('user_id', '=', me.id).execute();
        await trx.deleteFrom('subscription').where('user_id', '=', me.id).execute();
        await trx.deleteFrom('notification_setting').where('user_id', '=', me.id).execute();
        await trx.deleteFrom('video_session_interest').where('user_id', '=', me.id).execute();
        await trx.deleteFrom('video_session_registration').where('user_id', '=', me.id).execute();
        await trx.deleteFrom('user_session').where('user_id', '=', me.id).execute();
      });
      return reply.header('set-cookie', app.sessions.blankCookie()).status(204).send(null);
    },
  );
};

export default privacyRoutes;
