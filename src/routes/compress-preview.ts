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
    estimates: Type.Object({}, {
      additionalProperties: true,
      description:
        'per level (low, medium, high, maximum): {size, ratio, seconds, scan_pages: {bilevel, mrc, picture}}. scan_pages: of the sampled scan pages (scans.sampled_pages), how many the job makes one 1-bit image (bilevel), a text mask over a small background (mrc) or leaves to the JPEG path (picture) at that level; when every scan page was sampled, bilevel and mrc are the job\'s pages_bilevel and pages_mrc',
    }),
    scans: Type.Object(
      {
        pages: Type.Integer({ description: 'pages the job takes for page scans: an image drawn over at least half the page, 8-bit or 1-bit' }),
        sampled_pages: Type.Integer({ description: 'of those, the pages whose scan the preview decided as the job does (every 1-bit scan; up to 3 others, fewer when they are large, none over 24 megapixels), counted in estimates.*.scan_pages' }),
      },
      { description: 'page scans: their lossy estimates come from the sampled scans split as the job splits them, extrapolated over all scans; when every 8-bit scan is over 24 megapixels none is split (sampled_pages counts the 1-bit ones only) and they are estimated as other images, by the JPEG path, above what the job makes of them' },
    ),
    active_content: ActiveContentSchema,
  },
  { additionalProperties: true },
);

/**
 * POST /api/compress/preview: what compressing this PDF would do, answered at once with no
 * job: pages, images and their share of the bytes, fonts, whether it is a scan, and an
 * estimated size per level from a real sample (a lossless save, a few images re-encoded and a
 * few page scans split as the job does at each level), not fixed percentages. Runs in the probe thread with a time bound.
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
