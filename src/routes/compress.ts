import type { FastifyPluginAsync } from 'fastify';
import { CompressFormSchema, CompressOptionsSchema } from '../schemas/compress.js';
import { submitResponses } from '../schemas/common.js';
import { parseFields } from '../schemas/fields.js';
import { receiveMultipart } from '../storage/upload.js';
import { checkWebhookUrl } from '../webhooks/url.js';
import { admit, checkPdf, discardStaging, jobIdFrom, submitJob } from './submit.js';

export const compressRoutes: FastifyPluginAsync = async (app) => {
  app.post(
    '/api/compress',
    {
      schema: {
        summary: 'Compress one PDF',
        description:
          'multipart/form-data: `file` (PDF); `compressionLevel` low|medium|high|maximum (default medium); ' +
          '`imageQuality` 10–100 (default 80); optional `job_id` (UUID) for idempotent resubmission.',
        consumes: ['multipart/form-data'],
        tags: ['compression'],
        response: submitResponses,
      },
      config: { openapiBody: CompressFormSchema },
    },
    async (request, reply) => {
      await admit(app, request.principal);
      const upload = await receiveMultipart(request, app.storage, { fileField: 'file', maxFiles: 1, maxFileSize: app.config.maxFileSizeBytes });
      try {
        const options = parseFields(CompressOptionsSchema, upload.fields);
        const id = jobIdFrom(upload.fields.job_id);
        const webhookUrl = await checkWebhookUrl(upload.fields.webhook_url, app.config.webhookAllowPrivate);
        const { job, created } = await submitJob(app, {
          id,
          principal: request.principal,
          type: 'compress',
          stagingDir: upload.dir,
          files: upload.files,
          options,
          webhookUrl,
          check: async () => void (await checkPdf(app, upload.files[0]!, upload.fields.password)),
        });
        return reply.code(202).send({
          success: true,
          job_id: job.id,
          status: job.status,
          message: created ? 'Compression job queued.' : 'A job with this id already exists; returning it.',
        });
      } finally {
        await discardStaging(upload.dir);
      }
    },
  );
};
