import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../errors.js';
import type { JobOutput } from '../jobs/types.js';
import { tokenVaultFor } from '../cloud/token-vault.js';
import { findJob } from '../http/find-job.js';
import { cancel, expire } from '../queue/index.js';
import { ErrorSchema, JobIdParamsSchema, SignedLinkQuery } from '../schemas/common.js';
import { JobDeletedSchema, JobSchema } from '../schemas/job.js';
import { contentDisposition } from '../storage/filenames.js';
import { zipStream } from '../storage/zip.js';
import { effectiveStatus, toJobBody } from '../http/job-view.js';


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
      const status = effectiveStatus(row);
      if (status === 'expired') throw new AppError('JOB_EXPIRED');
      if (status === 'failed') throw new AppError('JOB_FAILED', `The job failed (${row.error_code}); it has no result to download.`);
      if (status === 'cancelled') throw new AppError('JOB_CANCELLED');
      if (status !== 'completed') throw new AppError('JOB_NOT_READY', `The job is ${status}; download it once it is completed.`);
      const output = row.output ? (JSON.parse(row.output) as JobOutput) : undefined;
      if (!output || output.files.length === 0) throw new AppError('JOB_NOT_FOUND', 'This job has no result file.');
      const { lease } = output;
      const wanted = (request.query as { file?: number }).file;
      if (wanted === undefined && output.archive) {
        const entries = await Promise.all(
          output.files.map(async (f) => {
            const size = await app.storage.resultSize(row.id, lease, f.name);
            if (size === undefined) throw new AppError('JOB_EXPIRED', 'The result files are no longer available.');
            return { name: f.downloadName, size, open: async () => (await app.storage.openResult(row.id, lease, f.name))!.stream };
          }),
        );
        const { stream, size } = await zipStream(entries, new Date(row.finished_at ?? row.updated_at));
        if (size !== undefined) reply.header('content-length', size);
        return reply
          .header('content-type', 'application/zip')
          .header('content-disposition', contentDisposition(output.archive))
          .header('cache-control', 'private, no-store')
          .send(stream);
      }
      const index = wanted ?? 0;
      const file = output.files.find((f, i) => (f.index ?? i) === index);
      if (!file) throw new AppError('JOB_NOT_FOUND', `The result has no file ${index}.`, { files: output.files.map((f, i) => f.index ?? i) });
      const opened = await app.storage.openResult(row.id, lease, file.name);
      if (!opened) throw new AppError('JOB_EXPIRED', 'The result file is no longer available.');
      return reply
        .header('content-type', file.contentType)
        .header('content-length', opened.size)
        .header('content-disposition', contentDisposition(file.downloadName))
        .header('cache-control', 'private, no-store')
        .send(opened.stream);
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
