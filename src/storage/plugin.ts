import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { Storage } from './layout.js';

declare module 'fastify' {
  interface FastifyInstance {
    storage: Storage;
  }
}

export const storagePlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const storage = new Storage(config.uploadDir);
    await storage.init();
    app.decorate('storage', storage);
  },
  { name: 'storage' },
);
