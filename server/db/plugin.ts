import fp from 'fastify-plugin';
import { createDb } from './index';

/** Decorates app.db (one pool per app instance) and closes the pool when the app closes. */
export default fp(
  async (app) => {
    if (!app.config.databaseUrl) throw new Error('databaseUrl must be resolved before buildApp (server/main.ts resolves it with server/db/resolve.ts)');
    const db = createDb(app.config.databaseUrl, { max: app.config.databasePoolSize });
    app.decorate('db', db);
    // Registered now so it runs after the plugins that close later (hooks run in reverse).
    app.addHook('onClose', async () => {
      await db.destroy();
    });
  },
  { name: 'plein-db' },
);
