import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { AppError } from '../errors.js';
import { PoolBusyError, TaskFailure } from '../pool.js';
import { submitResponses } from '../schemas/common.js';
import { ConvertFormSchema, parseConvertFields, previewResponses, type ConvertOptions } from '../schemas/convert.js';
import { parsePageSpec, resolvePages } from '../schemas/pages.js';
import { receiveMultipart, type ReceivedFile } from '../storage/upload.js';
import { checkWebhookUrl } from '../webhooks/url.js';
import { admit, checkPdf, discardStaging, jobIdFrom, submitJob } from './submit.js';
import type { ConvertPreviewPayload, ConvertPreviewResult } from '../../workers/convert-preview.js';

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
        summary: 'Convert a PDF to txt, html, docx, xlsx or page images',
        description: `multipart/form-data: ${FIELDS_DOC} Optional \`job_id\` (UUID), \`webhook_url\`.`,
        consumes: ['multipart/form-data'],
        tags: ['conversion'],
        response: submitResponses,
      },
      config: { openapiBody: ConvertFormSchema },
    },
    async (request, reply) => {
      await admit(app, request.principal);
      const upload = await receiveMultipart(request, app.storage, { fileField: 'file', maxFiles: 1, maxFileSize: app.config.maxFileSizeBytes });
      try {
        const options = parseConvertFields(upload.fields);
        const id = jobIdFrom(upload.fields.job_id);
        const webhookUrl = await checkWebhookUrl(upload.fields.webhook_url, app.config.webhookAllowPrivate);
        const { job, created } = await submitJob(app, {
          id,
          principal: request.principal,
          type: 'convert',
          stagingDir: upload.dir,
          files: upload.files,
          options: { ...options },
          webhookUrl,
          check: () => checkConvertable(app, upload.files[0]!, options, upload.fields.password),
        });
        return reply.code(202).send({
          success: true,
          job_id: job.id,
          status: job.status,
          message: created ? `Conversion to ${options.format} queued.` : 'A job with this id already exists; returning it.',
        });
      } finally {
        await discardStaging(upload.dir);
      }
    },
  );

  app.post(
    '/api/convert/preview',
    {
      schema: {
        summary: 'What a conversion would produce, answered at once (no job)',
        description: `multipart/form-data: ${FIELDS_DOC} Answers pages, text layer per page, tables and images found, and output size and time estimated by converting sample pages.`,
        consumes: ['multipart/form-data'],
        tags: ['conversion'],
        response: previewResponses,
      },
      config: { openapiBody: ConvertFormSchema },
    },
    async (request) => {
      const upload = await receiveMultipart(request, app.storage, { fileField: 'file', maxFiles: 1, maxFileSize: app.config.maxFileSizeBytes });
      try {
        const options = parseConvertFields(upload.fields);
        const file = upload.files[0]!;
        await checkConvertable(app, file, options, upload.fields.password);
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
        const preview = await runPreview(app, payload);
        return { success: true as const, ...preview };
      } finally {
        await discardStaging(upload.dir);
      }
    },
  );
};

/** The preview runs in the probe thread, never on the main thread; its failures map to coded errors. */
async function runPreview(app: FastifyInstance, payload: ConvertPreviewPayload): Promise<ConvertPreviewResult> {
  try {
    return await app.pools.probe.run<ConvertPreviewResult>('convertPreview', payload, { signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    if (err instanceof TaskFailure) throw new AppError(err.code === 'INVALID_OPTIONS' || err.code === 'ENCRYPTED_PDF' || err.code === 'TOO_MANY_PAGES' ? err.code : 'INVALID_PDF', err.message);
    if (err instanceof PoolBusyError) throw new AppError('QUEUE_FULL', 'Too many previews are running right now; try again shortly.');
    if ((err as Error).name === 'AbortError') throw new AppError('INVALID_PDF', 'The preview took too long; the PDF may be damaged or very complex.');
    throw new AppError('INVALID_PDF', 'The PDF could not be analysed; it may be damaged.');
  }
}
