import type { Config } from './config';
import type { Db } from './db';
import type { AccountMailSender } from './accounts/account-mail';
import type { SessionManager, SessionUser } from './accounts/session';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Db;
    sessions: SessionManager;
    /** Sends queued account mails (verification, reset) right after the change committed. */
    accountMails: AccountMailSender;
  }
  interface FastifyRequest {
    /** The signed-in user, or null for visitors. */
    user: SessionUser | null;
    /** Hashed session id of the request's cookie, when valid. */
    sessionId: string | null;
  }
}
