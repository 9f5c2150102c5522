import { Type, type Static } from '@sinclair/typebox';
import { AppError } from '../errors.js';
import { parseLanguages } from '../ocr/languages.js';
import { ErrorSchema, ActiveContentSchema } from './common.js';
import { parsePageSpec } from './pages.js';

export const CONVERT_FORMATS = ['txt', 'html', 'docx', 'xlsx', 'images'] as const;
export type ConvertFormat = (typeof CONVERT_FORMATS)[number];
export type ImageFormat = 'png' | 'jpeg';

/**
 * Rendering bounds for format=images. 300 dpi is print quality; above it an A4 page is
 * 35+ Mpx and the zip of a long document runs to gigabytes.
 */
export const DPI = { min: 36, max: 300, default: 150 } as const;

/** The options of a convert job as stored in the job row (and read by the handler). */
export interface ConvertOptions {
  format: ConvertFormat;
  /** The page selection as the client wrote it ("1-3,7"); absent = every page. */
  pages?: string;
  dpi: number;
  imageFormat: ImageFormat;
  ocr: boolean;
  /** OCR languages (e.g. eng+fra) for pages without text when `ocr` is true. */
  language: string;
  /** Remove active content (scripts, external actions, attachments) before converting. */
  sanitize: boolean;
}

const invalid = (field: string, value: unknown, allowed: string, why?: string) =>
  new AppError('INVALID_OPTIONS', why ?? `${field}=${JSON.stringify(value)?.slice(0, 100)} is not valid: expected ${allowed}.`, {
    fields: [{ field, value: String(typeof value === 'object' ? JSON.stringify(value) : value).slice(0, 100), allowed }],
  });

/**
 * The multipart fields of POST /api/convert (and /convert/preview): `format`, and `options`,
 * a JSON object string with `pages`, `dpi`, `imageFormat`, `ocr`, `language` (OCR). Every refusal is a 400
 * INVALID_OPTIONS whose message and details name the field. Unknown option keys are ignored
 * (clients of the original API send extra ones); dpi and imageFormat matter only for images.
 */
export function parseConvertFields(fields: Record<string, string | undefined>): ConvertOptions {
  const rawFormat = fields.format?.trim().toLowerCase();
  const formats = `one of ${CONVERT_FORMATS.join(', ')}`;
  if (!rawFormat) throw invalid('format', '', formats, `format is required: ${formats}.`);
  if (!(CONVERT_FORMATS as readonly string[]).includes(rawFormat)) throw invalid('format', fields.format, formats);
  const format = rawFormat as ConvertFormat;

  let options: Record<string, unknown> = {};
  const rawOptions = fields.options?.trim();
  if (rawOptions) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawOptions);
    } catch (err) {
      throw invalid('options', rawOptions, 'a JSON object', `options is not valid JSON (${(err as Error).message.slice(0, 120)}).`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('options', rawOptions, 'a JSON object', 'options must be a JSON object, e.g. {"pages": "1-3"}.');
    options = parsed as Record<string, unknown>;
  }

  const out: ConvertOptions = { format, dpi: DPI.default, imageFormat: 'png', ocr: false, language: 'eng', sanitize: false };
  const pages = options.pages;
  if (pages !== undefined && pages !== null && pages !== '') {
    if (typeof pages !== 'string' && !(typeof pages === 'number' && Number.isInteger(pages))) throw invalid('options.pages', pages, 'a page selection such as "1-3,7"');
    try {
      if (parsePageSpec(String(pages))) out.pages = String(pages).trim();
    } catch (err) {
      throw invalid('options.pages', pages, 'a page selection such as "1-3,7"', `options.${(err as Error).message}.`);
    }
  }
  if (options.dpi !== undefined && options.dpi !== null) {
    const dpi = typeof options.dpi === 'string' && options.dpi.trim() !== '' ? Number(options.dpi) : options.dpi;
    if (typeof dpi !== 'number' || !Number.isInteger(dpi) || dpi < DPI.min || dpi > DPI.max) throw invalid('options.dpi', options.dpi, `an integer from ${DPI.min} to ${DPI.max}`);
    out.dpi = dpi;
  }
  if (options.imageFormat !== undefined && options.imageFormat !== null) {
    const f = typeof options.imageFormat === 'string' ? options.imageFormat.trim().toLowerCase() : '';
    if (f === 'png') out.imageFormat = 'png';
    else if (f === 'jpeg' || f === 'jpg') out.imageFormat = 'jpeg';
    else throw invalid('options.imageFormat', options.imageFormat, 'one of png, jpeg');
  }
  if (options.ocr !== undefined && options.ocr !== null) {
    const v = options.ocr;
    if (v === true || v === 'true') out.ocr = true;
    else if (v === false || v === 'false') out.ocr = false;
    else throw invalid('options.ocr', v, 'true or false');
  }
  // sanitize: in options, or as its own form field (as on /api/compress).
  const rawSanitize = options.sanitize ?? fields.sanitize;
  if (rawSanitize !== undefined && rawSanitize !== null && rawSanitize !== '') {
    if (rawSanitize === true || rawSanitize === 'true') out.sanitize = true;
    else if (rawSanitize === false || rawSanitize === 'false') out.sanitize = false;
    else throw invalid('sanitize', rawSanitize, 'true or false');
  }
  if (typeof options.language === 'string' && options.language.trim()) {
    // Unknown or uninstalled → 400 UNSUPPORTED_LANGUAGE listing the installed ones.
    out.language = parseLanguages(options.language.trim()).join('+');
  }
  return out;
}

/** The multipart forms of POST /api/convert and /api/convert/preview, for the OpenAPI document. */
export const ConvertFormSchema = Type.Object({
  file: Type.String({ format: 'binary', description: 'the PDF' }),
  format: Type.Union(CONVERT_FORMATS.map((f) => Type.Literal(f))),
  options: Type.Optional(
    Type.String({
      description: 'JSON object: {"pages": "1-3,7", "dpi": 150, "imageFormat": "png" | "jpeg", "ocr": false, "language": "eng"}; dpi and imageFormat apply to format=images; ocr recognises pages without a text layer first (in language)',
      examples: ['{"pages":"1-3"}'],
    }),
  ),
  job_id: Type.Optional(Type.String({ format: 'uuid', description: 'client-chosen id: resubmitting it returns the same job' })),
  webhook_url: Type.Optional(Type.String({ format: 'uri', description: 'POSTed the final job JSON (signed with WEBHOOK_SECRET)' })),
});

const NoteSchema = Type.Object({ code: Type.String(), message: Type.String(), pages: Type.Optional(Type.Array(Type.Integer())) });

/** 200 answer of POST /api/convert/preview. */
export const ConvertPreviewSchema = Type.Object(
  {
    success: Type.Literal(true),
    format: Type.String(),
    page_count: Type.Integer({ description: 'pages in the document' }),
    pages_selected: Type.Integer({ description: 'pages the options select' }),
    pages_scanned: Type.Integer({ description: 'selected pages analysed (all of them unless the document is long)' }),
    pages: Type.Array(
      Type.Object({ page: Type.Integer(), has_text: Type.Boolean(), chars: Type.Integer(), tables: Type.Integer(), images: Type.Integer() }),
      { description: 'per analysed page: text layer, characters, tables and images found' },
    ),
    pages_without_text: Type.Array(Type.Integer()),
    tables_found: Type.Integer({ description: 'tables on the analysed pages' }),
    images_found: Type.Integer({ description: 'images on the analysed pages' }),
    estimated_output_size: Type.Integer({ description: 'bytes, extrapolated from converting sample pages' }),
    estimated_time_s: Type.Number({ description: 'seconds of conversion, extrapolated from the sample' }),
    sample: Type.Object({ pages: Type.Array(Type.Integer()), ms: Type.Number(), bytes: Type.Integer() }),
    notes: Type.Array(NoteSchema),
    active_content: ActiveContentSchema,
  },
  { $id: 'ConvertPreview' },
);
export type ConvertPreview = Static<typeof ConvertPreviewSchema>;

export const previewResponses = { 200: ConvertPreviewSchema, '4xx': ErrorSchema, '5xx': ErrorSchema };
