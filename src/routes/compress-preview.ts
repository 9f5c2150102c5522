import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { AppError, isErrorCode } from '../errors.js';
import { PoolBusyError, TaskFailure } from '../pool.js';
import { ActiveContentSchema, ErrorSchema } from '../schemas/common.js';
import { sniff } from '../storage/sniff.js';
import { receiveMultipart } from '../storage/upload.js';
import { checkPdf, discardStaging } from './submit.js';

const PreviewSchema = Type.Object(
  {
    success: Type.Literal(true),
    pages: Type.Integer(),
    file_size: Type.Integer(),
    has_text_layer: Type.Boolean(),
    is_scan: Type.Boolean(),
    images: Type.Object({}, { additionalProperties: true }),
    fonts: Type.Object({}, { additionalProperties: true }),
    estimates: Type.Object({}, { additionalProperties: true, description: 'per level: {size, ratio, seconds}' }),
    active_content: ActiveContentSchema,
  },
  { additionalProperties: true },
);

/**
 * POST /api/compress/preview: what compressing this PDF would do, answered at once with no
 * job: pages, images and their share of the bytes, fonts, whether it is a scan, and an
 * estimated size per level from a real sample (a lossless save and a few images re-encoded
 * at each level), not fixed percentages. Runs in the probe thread with a time bound.
 */
export const compressPreviewRoutes: FastifyPluginAsync = async (app) => {
  app.post(
    '/api/compress/preview',
    {
      schema: {
        summary: 'Estimate what compression would do (no job)',
        consumes: ['multipart/form-data'],
        tags: ['compression'],
        response: { 200: PreviewSchema, '4xx': ErrorSchema, '5xx': ErrorSchema },
      },
      config: {
        openapiBody: Type.Object({
          file: Type.String({ format: 'binary' }),
          password: Type.Optional(Type.String({ description: 'opens a password-protected PDF (used for this answer only; never stored)' })),
        }),
      },
    },
    async (request) => {
      const upload = await receiveMultipart(request, app.storage, { fileField: 'file', maxFiles: 1, maxFileSize: app.config.maxFileSizeBytes });
      try {
        const file = upload.files[0]!;
        if (file.size === 0) throw new AppError('INVALID_PDF', 'The file is empty.');
        if (sniff(file.head) !== 'pdf') throw new AppError('INVALID_FILE_TYPE', 'The file is not a PDF (no %PDF- header in its first 1024 bytes).');
        // A locked PDF with its password: the check decrypts the staged copy, which the preview then reads.
        if (upload.fields.password) await checkPdf(app, file, upload.fields.password);
        const preview = await app.pools.probe.run<Record<string, unknown>>(
          'compressPreview',
          { input: file.path, maxPages: app.config.maxPages },
          { signal: AbortSignal.timeout(60_000) },
        );
        return { success: true as const, ...preview };
      } catch (err) {
        if (err instanceof TaskFailure) throw new AppError(isErrorCode(err.code) && err.code !== 'PROCESSING_FAILED' ? err.code : 'INVALID_PDF', err.message);
        if (err instanceof PoolBusyError) throw new AppError('QUEUE_FULL', 'Too many previews are running right now; try again shortly.');
        if ((err as Error).name === 'AbortError') throw new AppError('PDF_TOO_COMPLEX', 'The PDF took more than 60 s to analyse; it is damaged or too complex.');
        throw err;
      } finally {
        await discardStaging(upload.dir);
      }
    },
  );
};
