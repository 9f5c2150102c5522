import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../errors.js';
import type { RejectedFile } from '../jobs/bulk.js';
import { BulkFormSchema, CompressOptionsSchema } from '../schemas/compress.js';
import { submitResponses } from '../schemas/common.js';
import { parseFields } from '../schemas/fields.js';
import { safeFilename } from '../storage/filenames.js';
import { receiveMultipart } from '../storage/upload.js';
import { checkWebhookUrl } from '../webhooks/url.js';
import { admit, checkPdf, discardStaging, jobIdFrom, submitJob } from './submit.js';

export const bulkRoutes: FastifyPluginAsync = async (app) => {
  app.post(
    '/api/bulk',
    {
      schema: {
        summary: 'Compress many PDFs in one job',
        description:
          'multipart/form-data: `files` (repeated, up to MAX_FILES), plus the options of /api/compress. ' +
          'Each file is checked on its own: a refused file is listed in the result with its code, and only a ' +
          'request in which every file is refused gets a 4xx. Download: one zip, or `?file=N` for file N.',
        consumes: ['multipart/form-data'],
        tags: ['compression'],
        response: submitResponses,
      },
      config: { openapiBody: BulkFormSchema },
    },
    async (request, reply) => {
      await admit(app, request.principal);
      const { config } = app;
      const upload = await receiveMultipart(request, app.storage, {
        fileField: 'files',
        maxFiles: config.maxFiles,
        maxFileSize: config.maxFileSizeBytes,
        maxTotalSize: config.maxTotalUploadBytes,
      });
      try {
        const options = parseFields(CompressOptionsSchema, upload.fields);
        const id = jobIdFrom(upload.fields.job_id);
        const webhookUrl = await checkWebhookUrl(upload.fields.webhook_url, app.config.webhookAllowPrivate);
        let accepted = upload.files;
        const { job, created } = await submitJob(app, {
          id,
          principal: request.principal,
          type: 'bulk_compress',
          stagingDir: upload.dir,
          files: upload.files,
          options,
          webhookUrl,
          check: async () => {
            const rejected: RejectedFile[] = [];
            // One at a time through the probe thread: a batch must not monopolise it.
            for (const file of upload.files) {
              try {
                await checkPdf(app, file, upload.fields.password);
              } catch (err) {
                if (!(err instanceof AppError) || err.statusCode >= 500) throw err;
                const name = safeFilename(file.clientName, `document-${file.index + 1}.pdf`);
                rejected.push({ index: file.index, name, size: file.size, code: err.code, message: err.message });
              }
            }
            if (rejected.length === upload.files.length) {
              const first = rejected[0]!;
              throw new AppError(first.code as AppError['code'], `None of the files can be compressed. ${first.name}: ${first.message}`, {
                files: rejected.map(({ index, name, code, message }) => ({ index, name, code, message })),
              });
            }
            accepted = upload.files.filter((f) => !rejected.some((r) => r.index === f.index));
            return { rejected };
          },
          keep: (f) => accepted.includes(f),
        });
        return reply.code(202).send({
          success: true,
          job_id: job.id,
          status: job.status,
          message: created ? `Bulk compression job queued for ${upload.files.length} files.` : 'A job with this id already exists; returning it.',
          file_count: upload.files.length,
        });
      } finally {
        await discardStaging(upload.dir);
      }
    },
  );
};
