import path from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import { projectRoot } from '../paths.js';

/**
 * The web page at / (public/): a small client of this API for trying the service without
 * writing a frontend. Served from the project's public/ folder, which holds only the page's
 * own files; uploads live under UPLOAD_DIR and are never reachable from here.
 */
export const webPlugin = fp(
  async (app) => {
    await app.register(fastifyStatic, {
      root: path.join(projectRoot, 'public'),
      prefix: '/',
      index: ['index.html'],
      wildcard: false,
      cacheControl: true,
      maxAge: '1h',
      schemaHide: true,
    });
  },
  { name: 'web' },
);
