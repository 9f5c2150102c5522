import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { openSqlite, type Store } from './connection.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
  }
}

/** The job store; closed last, after everything that writes to it. */
export const dbPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    if (config.databaseUrl) throw new Error('DATABASE_URL (PostgreSQL) is not supported by this build yet; unset it to use SQLite');
    const store = openSqlite(config.dataDir);
    app.decorate('store', store);
    app.addHook('onClose', async () => {
      await store.close();
    });
  },
  { name: 'db' },
);
