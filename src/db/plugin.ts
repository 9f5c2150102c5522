import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { openSqlite, type Store } from './connection.js';
import { openPostgres } from './postgres.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
  }
}

/** The job store (SQLite in DATA_DIR, or PostgreSQL with DATABASE_URL); closed last, after everything that writes to it. */
export const dbPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const store = config.databaseUrl ? await openPostgres(config.databaseUrl, { schema: config.databaseSchema }) : openSqlite(config.dataDir);
    app.decorate('store', store);
    app.addHook('onClose', async () => {
      await store.close();
    });
  },
  { name: 'db' },
);
