import type { FastifyPluginAsync } from 'fastify';
import { CompressFormSchema, CompressOptionsSchema } from '../schemas/compress.js';
import { SubmitQuerySchema, submitResponses } from '../schemas/common.js';
import { parseFields } from '../schemas/fields.js';
import { checkPdf, submitUpload } from './submit.js';

export const compressRoutes: FastifyPluginAsync = async (app) => {
  app.post(
    '/api/compress',
    {
      schema: {
        operationId: 'compressPdf',
        summary: 'Compress one PDF',
        description:
          'multipart/form-data: `file` (PDF); `compressionLevel` low|medium|high|maximum (default medium); ' +
          '`imageQuality` 10–100 (default 80); optional `job_id` (UUID) for idempotent resubmission.',
        consumes: ['multipart/form-data'],
        tags: ['compression'],
        querystring: SubmitQuerySchema, response: submitResponses,
      },
      config: { openapiBody: CompressFormSchema },
    },
    (request, reply) =>
      submitUpload(app, request, reply, {
        type: 'compress',
        options: (intake) => parseFields(CompressOptionsSchema, intake.fields as Record<string, string>),
        check: async (intake, _options, password) => void (await checkPdf(app, intake.files[0]!, password)),
        message: () => 'Compression job queued.',
      }),
  );
};
