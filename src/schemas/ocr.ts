import { ActiveContentSchema } from './common.js';
import { Type, type Static } from '@sinclair/typebox';
import { AppError } from '../errors.js';
import { parseFields } from './fields.js';

/**
 * Options of POST /api/ocr and /api/ocr/preview, sent as the JSON string `options` (the
 * original API) or, for convenience, as form fields of the same names; `options` wins.
 */
export const OcrOptionsSchema = Type.Object({
  language: Type.String({ default: 'eng', maxLength: 100, description: 'installed languages joined by +, e.g. eng or eng+fra; "auto" detects the script and language among the installed ones' }),
  outputFormat: Type.Union([Type.Literal('searchable_pdf'), Type.Literal('text'), Type.Literal('json'), Type.Literal('hocr'), Type.Literal('alto')], {
    default: 'searchable_pdf',
    description:
      'searchable_pdf = the original pages plus an invisible text layer; text = plain text, pages separated by form feeds; json = words with boxes and confidences; hocr = hOCR 1.2 XHTML; alto = ALTO v4 XML',
  }),
  pages: Type.Optional(Type.String({ maxLength: 1000, description: 'pages to OCR, e.g. 1-3,7 (default all)' })),
  dpi: Type.Integer({ minimum: 72, maximum: 600, default: 300, description: 'resolution PDF pages are rendered at for recognition' }),
  skipText: Type.Boolean({ default: true, description: 'leave pages that already have a text layer as they are (mode skip); false OCRs them too, on top of their text' }),
  mode: Type.Optional(
    Type.Union([Type.Literal('skip'), Type.Literal('redo'), Type.Literal('force')], {
      description: 'skip = pages with text are left as they are; redo = an old invisible OCR layer is removed and the page OCRed again (visible text kept); force = every page rasterised and OCRed. Wins over skipText',
    }),
  ),
  rotatePages: Type.Boolean({ default: true, description: 'detect each page\'s orientation and turn pages upright when the detection is confident' }),
  deskew: Type.Boolean({ default: false, description: 'measure the skew of the text lines and straighten the page before recognition; a page that is one scanned image gets a straightened copy of its image in the searchable PDF (same page size), any other page is left as it is (result.pages_not_deskewed) with its text layer turned onto it' }),
  sidecar: Type.Boolean({ default: false, description: 'searchable_pdf only: a zip of the searchable PDF and its text' }),
  optimize: Type.Boolean({ default: true, description: 'the searchable PDF goes through the compression engine (level medium, verified, text layer kept); false keeps every page byte for byte' }),
});
export type OcrOptions = Static<typeof OcrOptionsSchema> & { outputFormat: 'searchable_pdf' | 'text' | 'json' | 'hocr' | 'alto'; mode?: 'skip' | 'redo' | 'force' };

/** The multipart fields → validated options; a bad `options` JSON or value is 400 INVALID_OPTIONS. */
export function parseOcrOptions(fields: Record<string, string | undefined>): OcrOptions {
  const merged: Record<string, string | undefined> = { ...fields };
  const raw = fields.options?.trim();
  if (raw) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new AppError('INVALID_OPTIONS', 'options must be a JSON object, e.g. {"language":"eng","outputFormat":"text"}.', { fields: [{ field: 'options' }] });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new AppError('INVALID_OPTIONS', 'options must be a JSON object.', { fields: [{ field: 'options' }] });
    }
    // Values go through the same conversion as form fields, so {"dpi": 300} and {"dpi": "300"} agree.
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (v !== null && v !== undefined) merged[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  const options = parseFields(OcrOptionsSchema, merged) as OcrOptions;
  if (options.sidecar && options.outputFormat !== 'searchable_pdf') {
    throw new AppError('INVALID_OPTIONS', `sidecar goes with outputFormat searchable_pdf (a zip of the PDF and its text), not ${options.outputFormat}.`, { fields: [{ field: 'sidecar' }] });
  }
  return options;
}

/** The multipart form of POST /api/ocr and /api/ocr/preview, for the OpenAPI document. */
export const OcrFormSchema = Type.Object({
  file: Type.String({ format: 'binary', description: 'pdf, png, jpeg, tiff (multi-page), bmp, webp or gif, recognised by content' }),
  options: Type.Optional(
    Type.String({
      description:
        'JSON: {"language": "eng+fra|auto", "outputFormat": "searchable_pdf|text|json|hocr|alto", "pages": "1-3", "dpi": 300, "mode": "skip|redo|force", "skipText": true, "rotatePages": true, "deskew": false, "sidecar": false, "optimize": true}',
    }),
  ),
  password: Type.Optional(Type.String({ description: 'opens a password-protected PDF (used once at submission: the stored copy is decrypted; never stored)' })),
  job_id: Type.Optional(Type.String({ format: 'uuid', description: 'idempotent resubmission' })),
  webhook_url: Type.Optional(Type.String({ format: 'uri', description: 'POSTed the final job JSON' })),
});

const PreviewPageSchema = Type.Object({
  page: Type.Integer(),
  width_pt: Type.Number(),
  height_pt: Type.Number(),
  has_text: Type.Boolean({ description: 'the page already has a text layer' }),
  images: Type.Array(Type.Object({ width: Type.Integer(), height: Type.Integer(), dpi: Type.Integer({ description: 'effective resolution as placed on the page' }) })),
  will_ocr: Type.Boolean(),
  render_dpi: Type.Integer({ description: 'the dpi the page would be recognised at (lowered for pages past the pixel cap)' }),
  render_pixels: Type.Integer(),
});

export const OcrPreviewSchema = Type.Object(
  {
    success: Type.Literal(true),
    input_type: Type.String(),
    page_count: Type.Integer(),
    pages_with_text: Type.Array(Type.Integer()),
    pages_to_ocr: Type.Integer(),
    pages: Type.Array(PreviewPageSchema),
    pages_truncated: Type.Boolean({ description: 'only the first 500 pages are described one by one' }),
    engine: Type.String(),
    language: Type.String(),
    estimated_seconds: Type.Number({ description: 'wall time on this server with its worker threads, all free' }),
    estimated_output_size: Type.Integer({ description: 'bytes, from measured averages; a rough guide' }),
    active_content: Type.Optional(ActiveContentSchema),
  },
  { $id: 'OcrPreview' },
);
