import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { tokenVaultFor } from '../cloud/token-vault.js';
import { findJob } from '../http/find-job.js';
import { cancel, expire } from '../queue/index.js';
import { ErrorSchema, JobIdParamsSchema, SignedLinkQuery } from '../schemas/common.js';
import { JobDeletedSchema, JobSchema } from '../schemas/job.js';
import { toJobBody } from '../http/job-view.js';
import { sendResult } from '../http/job-result.js';


export const jobRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/api/jobs/:id',
    {
      schema: {
        operationId: 'getJob',
        summary: 'Job status, progress and result',
        tags: ['jobs'],
        params: JobIdParamsSchema,
        response: { 200: JobSchema, 404: ErrorSchema },
      },
    },
    async (request) => toJobBody(await findJob(app, request.principal, (request.params as { id: string }).id), app.links),
  );

  app.get(
    '/api/jobs/:id/download',
    {
      schema: {
        operationId: 'downloadJobResult',
        summary: 'Download the result file',
        tags: ['jobs'],
        params: JobIdParamsSchema,
        querystring: Type.Object({ file: Type.Optional(Type.Integer({ minimum: 0, description: 'one file of a multi-file result, by index' })), ...SignedLinkQuery }),
        description: 'With X-API-Key, or without a key through the signed `download_url` of the job (add `&file=N` for one file of a bulk job).',
        response: {
          200: { description: 'the result file (Content-Disposition names it)', type: 'string', format: 'binary' },
          403: ErrorSchema,
          404: ErrorSchema,
          409: ErrorSchema,
          410: ErrorSchema,
        },
      },
      config: { signedLink: true },
    },
    async (request, reply) => {
      const row = await findJob(app, request.principal, (request.params as { id: string }).id);
      return sendResult(app, reply, row, (request.query as { file?: number }).file);
    },
  );

  app.delete(
    '/api/jobs/:id',
    {
      schema: {
        operationId: 'cancelJob',
        summary: 'Cancel a pending or running job, or delete a finished job\'s files',
        tags: ['jobs'],
        params: JobIdParamsSchema,
        response: { 200: JobDeletedSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const row = await findJob(app, request.principal, (request.params as { id: string }).id);
      const ttl = app.config.jobTtlMs;
      if (await cancel(app.store.db, row.id, ttl)) {
        app.dispatcher.cancel(row.id);
        tokenVaultFor(app.config).delete(row.id); // a cancelled export's token goes now, not at its TTL
        await app.storage.removeJobFiles(row.id, { inputs: true, results: true });
        void app.webhooks.flush();
        return { success: true as const, job_id: row.id, status: 'cancelled' as const, message: 'Job cancelled; its files were deleted.' };
      }
      // Already final: deleting means "delete my files now" rather than waiting for the TTL.
      await expire(app.store.db, { id: row.id });
      await app.storage.removeJobFiles(row.id);
      return { success: true as const, job_id: row.id, status: 'expired' as const, message: 'The job had finished; its files were deleted.' };
    },
  );
};
