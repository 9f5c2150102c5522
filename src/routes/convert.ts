import { rm } from 'node:fs/promises';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { AppError } from '../errors.js';
import { PREVIEW_RUN_MS, runProbe } from '../pool/probe.js';
import { SubmitQuerySchema, submitResponses } from '../schemas/common.js';
import { ConvertFormSchema, parseConvertFields, previewResponses, type ConvertOptions } from '../schemas/convert.js';
import { parsePageSpec, resolvePages } from '../schemas/pages.js';
import type { ReceivedFile } from '../storage/upload.js';
import { checkPdf, receiveFile, stringField, submitUpload } from './submit.js';
import type { ConvertPreviewPayload } from '../../workers/convert-preview.js';

const FIELDS_DOC =
  '`file` (PDF); `format` = txt | html | docx | xlsx | images; `options` (JSON string): `pages` ("1-3,7", default all), ' +
  '`dpi` (images, 36–300, default 150), `imageFormat` (images: png | jpeg, default png), `ocr` (boolean).';

/**
 * The upload is a PDF MuPDF opens, and the page selection exists in it: refused now rather
 * than as a failed job. The page count goes into the job input (the handler splits long
 * documents by it).
 */
async function checkConvertable(app: FastifyInstance, file: ReceivedFile, options: ConvertOptions, password?: string): Promise<{ page_count: number }> {
  const { pages } = await checkPdf(app, file, password);
  try {
    resolvePages(parsePageSpec(options.pages), pages);
  } catch (err) {
    throw new AppError('INVALID_OPTIONS', `options.${(err as Error).message}.`, { fields: [{ field: 'options.pages', value: options.pages, allowed: `pages 1 to ${pages}` }] });
  }
  return { page_count: pages };
}

export const convertRoutes: FastifyPluginAsync = async (app) => {
  app.post(
    '/api/convert',
    {
      schema: {
        operationId: 'convertPdf',
        summary: 'Convert a PDF to txt, html, docx, xlsx or page images',
        description: `multipart/form-data: ${FIELDS_DOC} Optional \`job_id\` (UUID), \`webhook_url\`.`,
        consumes: ['multipart/form-data'],
        tags: ['conversion'],
        querystring: SubmitQuerySchema, response: submitResponses,
      },
      config: { openapiBody: ConvertFormSchema },
    },
    (request, reply) =>
      submitUpload(app, request, reply, {
        type: 'convert',
        options: (intake) => parseConvertFields(intake.fields as Record<string, string>),
        check: async (intake, options, password) => ({ input: await checkConvertable(app, intake.files[0]!, options, password) }),
        message: (options) => `Conversion to ${options.format} queued.`,
      }),
  );

  app.post(
    '/api/convert/preview',
    {
      schema: {
        operationId: 'previewConversion',
        summary: 'What a conversion would produce, answered at once (no job)',
        description: `multipart/form-data: ${FIELDS_DOC} Answers pages, text layer per page, tables and images found, and output size and time estimated by converting sample pages.`,
        consumes: ['multipart/form-data'],
        tags: ['conversion'],
        response: previewResponses,
      },
      config: { openapiBody: ConvertFormSchema },
    },
    async (request) => {
      const upload = await receiveFile(app, request);
      try {
        const options = parseConvertFields(upload.fields as Record<string, string>);
        const file = upload.files[0]!;
        await checkConvertable(app, file, options, stringField(upload.fields, 'password'));
        const pages = parsePageSpec(options.pages);
        const payload: ConvertPreviewPayload = {
          path: file.path,
          scratchDir: upload.dir,
          format: options.format,
          maxPages: app.config.maxPages,
          ...(pages ? { pages } : {}),
          dpi: options.dpi,
          imageFormat: options.imageFormat,
          ocr: options.ocr,
        };
        const preview = await runProbe(app, 'convertPreview', payload, { badInput: 'INVALID_PDF', runMs: PREVIEW_RUN_MS });
        return { success: true as const, ...preview };
      } finally {
        await rm(upload.dir, { recursive: true, force: true });
      }
    },
  );
};
