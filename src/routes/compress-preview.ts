import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { rm } from 'node:fs/promises';
import { PREVIEW_RUN_MS, runProbe } from '../pool/probe.js';
import { ActiveContentSchema, ErrorSchema } from '../schemas/common.js';
import { assertPdf } from '../storage/sniff.js';
import { checkPdf, receiveFile, stringField } from './submit.js';

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
        operationId: 'previewCompression',
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
      const upload = await receiveFile(app, request);
      try {
        const file = upload.files[0]!;
        assertPdf(file);
        // A locked PDF with its password: the check decrypts the staged copy, which the preview then reads.
        const password = stringField(upload.fields, 'password');
        if (password) await checkPdf(app, file, password);
        const preview = await runProbe(app, 'compressPreview', { input: file.path, maxPages: app.config.maxPages }, { badInput: 'INVALID_PDF', runMs: PREVIEW_RUN_MS });
        return { success: true as const, ...preview };
      } finally {
        await rm(upload.dir, { recursive: true, force: true });
      }
    },
  );
};
