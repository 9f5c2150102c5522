import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../errors.js';
import type { RejectedFile } from '../jobs/bulk-compress.js';
import { BulkFormSchema, CompressOptionsSchema } from '../schemas/compress.js';
import { SubmitQuerySchema, submitResponses } from '../schemas/common.js';
import { parseFields } from '../schemas/fields.js';
import { safeFilename } from '../storage/filenames.js';
import { receiveMultipart } from '../storage/upload.js';
import { checkPdf, submitUpload } from './submit.js';

export const bulkRoutes: FastifyPluginAsync = async (app) => {
  app.post(
    '/api/bulk',
    {
      schema: {
        operationId: 'compressPdfs',
        summary: 'Compress many PDFs in one job',
        description:
          'multipart/form-data: `files` (repeated, up to MAX_FILES), plus the options of /api/compress. ' +
          'Each file is checked on its own: a refused file is listed in the result with its code, and only a ' +
          'request in which every file is refused gets a 4xx. Download: one zip, or `?file=N` for file N.',
        consumes: ['multipart/form-data'],
        tags: ['compression'],
        querystring: SubmitQuerySchema, response: submitResponses,
      },
      config: { openapiBody: BulkFormSchema },
    },
    (request, reply) =>
      submitUpload(app, request, reply, {
        type: 'bulk_compress',
        receive: (r) =>
          receiveMultipart(r, app.storage, {
            fileField: 'files',
            maxFiles: app.config.maxFiles,
            maxFileSize: app.config.maxFileSizeBytes,
            maxTotalSize: app.config.maxTotalUploadBytes,
          }),
        options: (intake) => parseFields(CompressOptionsSchema, intake.fields as Record<string, string>),
        check: async ({ files }, _options, password) => {
          const rejected: RejectedFile[] = [];
          // One at a time through the probe thread: a batch must not monopolise it.
          for (const file of files) {
            try {
              await checkPdf(app, file, password);
            } catch (err) {
              if (!(err instanceof AppError) || err.statusCode >= 500) throw err;
              const name = safeFilename(file.clientName, `document-${file.index + 1}.pdf`);
              rejected.push({ index: file.index, name, size: file.size, code: err.code, message: err.message });
            }
          }
          if (rejected.length === files.length) {
            const first = rejected[0]!;
            throw new AppError(first.code, `None of the files can be compressed. ${first.name}: ${first.message}`, {
              files: rejected.map(({ index, name, code, message }) => ({ index, name, code, message })),
            });
          }
          return { input: { rejected }, keep: files.filter((f) => !rejected.some((r) => r.index === f.index)) };
        },
        message: (_options, { files }) => `Bulk compression job queued for ${files.length} files.`,
        answer: ({ files }) => ({ file_count: files.length }),
      }),
  );
};
