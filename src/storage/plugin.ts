import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { bucketFor } from './bucket.js';
import { Storage } from './layout.js';

declare module 'fastify' {
  interface FastifyInstance {
    storage: Storage;
  }
}

export const storagePlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const bucket = bucketFor(config);
    const storage = new Storage(config.uploadDir, bucket);
    await storage.init();
    app.decorate('storage', storage);
    if (bucket) app.addHook('onClose', async () => bucket.destroy());
  },
  { name: 'storage' },
);
