import { open, rm } from 'node:fs/promises';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { AppError } from '../errors.js';
import { resolveEngine, estimateSeconds } from '../ocr/engine.js';
import type { OcrJobOptions } from '../jobs/ocr.js';
import { parseLanguages } from '../ocr/languages.js';
import { PREVIEW_RUN_MS, runProbe } from '../pool/probe.js';
import { ErrorSchema, SubmitQuerySchema, submitResponses } from '../schemas/common.js';
import { OcrFormSchema, OcrPreviewSchema, parseOcrOptions, type OcrOptions } from '../schemas/ocr.js';
import { parsePageSpec, resolvePages, type PageRange } from '../schemas/pages.js';
import { sniff } from '../storage/sniff.js';
import type { ReceivedFile } from '../storage/upload.js';
import type { OcrPreviewPayload } from '../../workers/ocr-preview.js';
import type { OcrInputKind } from '../../workers/ocr/types.js';
import { checkPdf, receiveFile, stringField, submitUpload } from './submit.js';

const FIELDS_DOC =
  '`file` (pdf, png, jpeg, tiff, bmp, webp, gif; recognised by content, never by name); `options` JSON: ' +
  '`language` (installed languages joined by +, default eng; `auto` detects it among the installed ones), `outputFormat` searchable_pdf|text|json|hocr|alto (default searchable_pdf), ' +
  '`pages` (e.g. 1-3,7), `dpi` 72–600 for rendering PDF pages (default 300), `mode` skip|redo|force (default: skip, or OCR on top of text with `skipText: false`), ' +
  '`rotatePages` (default true), `deskew` (default false), `sidecar` (searchable PDF + its text in a zip, default false), `optimize` (searchable PDF through the compression engine, default true).';

/** "auto" stays "auto" (the job detects it); anything else must be installed languages. */
function languageOf(spec: string): string {
  return spec.trim().toLowerCase() === 'auto' ? 'auto' : parseLanguages(spec).join('+');
}

function pagesOf(options: OcrOptions) {
  try {
    return parsePageSpec(options.pages);
  } catch (err) {
    throw new AppError('INVALID_OPTIONS', (err as Error).message, { fields: [{ field: 'pages' }] });
  }
}

/** A page selection past the document's end is the client's INVALID_OPTIONS, as the worker would say. */
function selectionFits(pages: PageRange[] | undefined, count: number): void {
  try {
    resolvePages(pages, count);
  } catch (err) {
    throw new AppError('INVALID_OPTIONS', (err as Error).message);
  }
}

function kindOf(file: ReceivedFile): OcrInputKind {
  if (file.size === 0) throw new AppError('INVALID_PDF', 'The file is empty.'); // as on every other file route
  const kind = sniff(file.head);
  if (!kind) throw new AppError('INVALID_FILE_TYPE', 'The file is not a PDF or an image OCR reads (png, jpeg, tiff, bmp, webp, gif); types are recognised by content, not by name.');
  return kind;
}

/**
 * MuPDF decodes a PNG without a single IDAT chunk (cut off after its header) as a blank
 * image of the declared size, and OCR would "succeed" on it. Walks the chunk headers only
 * (8 bytes a chunk), so a large PNG costs a few reads.
 */
async function checkPngData(file: ReceivedFile): Promise<void> {
  const fh = await open(file.path, 'r');
  try {
    const header = Buffer.alloc(8);
    for (let pos = 8, chunks = 0; pos + 8 <= file.size && chunks < 100_000; chunks++) {
      await fh.read(header, 0, 8, pos);
      const type = header.toString('latin1', 4, 8);
      if (type === 'IDAT' && header.readUInt32BE(0) > 0) return;
      if (type === 'IEND') break;
      pos += 12 + header.readUInt32BE(0);
    }
  } finally {
    await fh.close();
  }
  throw new AppError('INVALID_IMAGE', 'The PNG holds no image data (no IDAT chunk): it is damaged or was cut off.');
}

/** The image check and the preview run in the probe thread (runProbe: one answer per cause). */
function runPreview(app: FastifyInstance, payload: OcrPreviewPayload) {
  return runProbe(app, 'ocrPreview', payload, { badInput: payload.kind === 'pdf' ? 'INVALID_PDF' : 'INVALID_IMAGE', runMs: PREVIEW_RUN_MS });
}

/**
 * Rough output size from measured averages on text-dense A4 scans: the searchable PDF adds
 * ~2 KB of text layer per OCRed page plus ~1.5 KB once (the font); plain text is ~1.5 KB and
 * json ~25 KB per page (every word with its box and confidence).
 */
function estimateOutputSize(format: OcrOptions['outputFormat'], inputSize: number, ocrPages: number, pages: number): number {
  if (format === 'searchable_pdf') return Math.round(inputSize + 1500 + 2000 * ocrPages);
  return Math.round(pages * (format === 'text' ? 1500 : format === 'json' ? 25_000 : 30_000));
}

/**
 * The route's fields → an ocr job's options, with the route's 400s (options, languages,
 * pages, file type). The command line's in-process runner uses it too.
 */
export function ocrJobOptions(fields: Record<string, string>, file: ReceivedFile): OcrJobOptions {
  const options = parseOcrOptions(fields);
  const language = languageOf(options.language);
  pagesOf(options); // a malformed selection is a 400 before anything is checked
  const kind = kindOf(file);
  return {
    kind,
    language,
    outputFormat: options.outputFormat,
    ...(options.pages ? { pages: options.pages } : {}),
    dpi: options.dpi,
    skipText: options.mode ? options.mode === 'skip' : options.skipText,
    ...(options.mode ? { mode: options.mode } : {}),
    rotatePages: options.rotatePages,
    deskew: options.deskew,
    sidecar: options.sidecar,
    optimize: options.optimize,
  };
}

export const ocrRoutes: FastifyPluginAsync = async (app) => {
  app.post(
    '/api/ocr',
    {
      schema: {
        operationId: 'ocrFile',
        summary: 'OCR a scan or image into a searchable PDF, text or JSON',
        description: `multipart/form-data: ${FIELDS_DOC} Optional \`job_id\` (UUID) and \`webhook_url\`.`,
        consumes: ['multipart/form-data'],
        tags: ['ocr'],
        querystring: SubmitQuerySchema, response: submitResponses,
      },
      config: { openapiBody: OcrFormSchema },
    },
    async (request, reply) => {
      await resolveEngine(app.config.ocrEngine);
      return submitUpload(app, request, reply, {
        type: 'ocr',
        options: (intake) => ocrJobOptions(intake.fields as Record<string, string>, intake.files[0]!),
        check: async (intake, stored, password) => {
          const file = intake.files[0]!;
          const pages = parsePageSpec(stored.pages);
          if (stored.kind === 'pdf') {
            // The same check as on every route (a password decrypts the stored copy), then the
            // page selection against the page count it found: one run in the probe thread.
            const { pages: count } = await checkPdf(app, file, password);
            selectionFits(pages, count);
            return;
          }
          if (stored.kind === 'png') await checkPngData(file);
          await runPreview(app, { path: file.path, kind: stored.kind, maxPages: app.config.maxPages, dpi: stored.dpi, skipText: stored.mode ? stored.mode === 'skip' : stored.skipText, ...(pages ? { pages } : {}) });
        },
        message: (stored) => `OCR (${stored.language}, ${stored.outputFormat}) queued.`,
      });
    },
  );

  app.post(
    '/api/ocr/preview',
    {
      schema: {
        operationId: 'previewOcr',
        summary: 'What OCR would do with a file, answered at once (no job)',
        description: `multipart/form-data: ${FIELDS_DOC} Answers pages, which already have text, image resolution per page and the estimated time.`,
        consumes: ['multipart/form-data'],
        tags: ['ocr'],
        response: { 200: OcrPreviewSchema, '4xx': ErrorSchema, '5xx': ErrorSchema },
      },
      config: { openapiBody: OcrFormSchema },
    },
    async (request) => {
      const upload = await receiveFile(app, request);
      try {
        const options = parseOcrOptions(upload.fields as Record<string, string>);
        const language = languageOf(options.language);
        const pages = pagesOf(options);
        const { engine } = await resolveEngine(app.config.ocrEngine);
        const file = upload.files[0]!;
        const kind = kindOf(file);
        // The preview opens the file with the same checks; a password first decrypts the stored copy.
        const password = stringField(upload.fields, 'password');
        if (kind === 'pdf' && password) await checkPdf(app, file, password);
        if (kind === 'png') await checkPngData(file);
        const skipText = options.mode ? options.mode === 'skip' : options.skipText;
        const preview = await runPreview(app, { path: file.path, kind, maxPages: app.config.maxPages, dpi: options.dpi, skipText, ...(pages ? { pages } : {}) });
        const todo = preview.pages.filter((p) => p.will_ocr);
        // Pages past the described ones are assumed to be like the described ones, on average.
        const scale = preview.pages_truncated && preview.pages.length ? preview.page_count / preview.pages.length : 1;
        const seconds = estimateSeconds(engine, todo.map((p) => p.render_pixels * scale), app.pools.jobs.size);
        return {
          success: true as const,
          input_type: kind,
          page_count: preview.page_count,
          pages_with_text: preview.pages.filter((p) => p.has_text).map((p) => p.page),
          pages_to_ocr: Math.round(todo.length * scale),
          pages: preview.pages,
          pages_truncated: preview.pages_truncated,
          engine,
          language,
          estimated_seconds: seconds,
          estimated_output_size: estimateOutputSize(options.outputFormat, file.size, todo.length * scale, preview.page_count),
          ...(preview.active_content ? { active_content: preview.active_content } : {}),
        };
      } finally {
        await rm(upload.dir, { recursive: true, force: true });
      }
    },
  );
};
