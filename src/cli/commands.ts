/**
 * The command line's work commands: for each, the HTTP route it mirrors, its job type, the
 * files it takes, and its flags, each written into the form field (or the `options` JSON
 * field) the route reads, so a command and a request with the same options are the same job.
 */
export type CommandName = 'compress' | 'convert' | 'ocr' | 'summarize' | 'translate' | 'extract';

export interface Flag {
  /** Where the value goes: a form field, or a key of the `options` JSON field. */
  field: string;
  inOptions?: boolean;
  type: 'string' | 'boolean' | 'number';
  help: string;
  /** The value is a path whose contents are sent (extract --schema). */
  file?: boolean;
  /** A boolean flag that turns an option off (`--no-optimize` sends optimize: false). */
  negate?: boolean;
}

export interface Command {
  name: CommandName;
  route: string;
  jobType: string;
  summary: string;
  /** Extensions a folder given as input contributes (files named on the line are always taken). */
  extensions: string[];
  /** Plain text files are sent as JSON text (summarize, translate). */
  acceptsText?: boolean;
  /** Images as well as PDFs (OCR): the route's own parser tells the file types apart. */
  acceptsImages?: boolean;
  /** `--option key=value` goes into the options JSON (true) or into top-level fields (compress). */
  optionsField: boolean;
  flags: Record<string, Flag>;
  usage: string;
}

const PDF = ['.pdf'];

export const COMMANDS: Record<CommandName, Command> = {
  compress: {
    name: 'compress',
    route: '/api/compress',
    jobType: 'compress',
    summary: 'make PDFs smaller',
    extensions: PDF,
    optionsField: false,
    usage: 'pdf-smaller compress FILES… [-o OUT] [--level medium] [--quality 80] [--target-size MB]',
    flags: {
      level: { field: 'compressionLevel', type: 'string', help: 'low | medium | high | maximum (default medium)' },
      quality: { field: 'imageQuality', type: 'number', help: 'JPEG quality of re-encoded images, 10–100 (default 80)' },
      'target-size': { field: 'targetSizeMB', type: 'number', help: 'try stronger settings until the file fits (MB)' },
      grayscale: { field: 'grayscale', type: 'boolean', help: 'images to gray' },
      'remove-metadata': { field: 'removeMetadata', type: 'boolean', help: 'drop document info and XMP metadata' },
      sanitize: { field: 'sanitize', type: 'boolean', help: 'remove scripts, actions, attachments first' },
    },
  },
  convert: {
    name: 'convert',
    route: '/api/convert',
    jobType: 'convert',
    summary: 'PDF → txt, html, docx, xlsx or page images',
    extensions: PDF,
    optionsField: true,
    usage: 'pdf-smaller convert FILES… --format docx [-o OUT] [--pages 1-3] [--dpi 150]',
    flags: {
      format: { field: 'format', type: 'string', help: 'txt | html | docx | xlsx | images (required)' },
      pages: { field: 'pages', inOptions: true, type: 'string', help: 'pages, e.g. 1-3,7 (default all)' },
      dpi: { field: 'dpi', inOptions: true, type: 'number', help: 'images: resolution, 36–300 (default 150)' },
      'image-format': { field: 'imageFormat', inOptions: true, type: 'string', help: 'images: png | jpeg' },
      ocr: { field: 'ocr', inOptions: true, type: 'boolean', help: 'recognise pages without a text layer first' },
      language: { field: 'language', inOptions: true, type: 'string', help: 'OCR languages, e.g. eng+fra' },
      sanitize: { field: 'sanitize', inOptions: true, type: 'boolean', help: 'remove active content first' },
    },
  },
  ocr: {
    name: 'ocr',
    route: '/api/ocr',
    jobType: 'ocr',
    summary: 'scans and images → searchable PDF, text, JSON, hOCR or ALTO',
    extensions: ['.pdf', '.png', '.jpg', '.jpeg', '.tif', '.tiff', '.bmp', '.webp', '.gif'],
    acceptsImages: true,
    optionsField: true,
    usage: 'pdf-smaller ocr FILES… [-o OUT] [--language eng|auto] [--output-format searchable_pdf] [--deskew] [--mode redo]',
    flags: {
      language: { field: 'language', inOptions: true, type: 'string', help: 'installed languages joined by +, e.g. eng+fra' },
      'output-format': { field: 'outputFormat', inOptions: true, type: 'string', help: 'searchable_pdf | text | json | hocr | alto' },
      pages: { field: 'pages', inOptions: true, type: 'string', help: 'pages to OCR, e.g. 1-3,7' },
      dpi: { field: 'dpi', inOptions: true, type: 'number', help: 'rendering resolution for PDF pages (default 300)' },
      mode: { field: 'mode', inOptions: true, type: 'string', help: 'skip | redo | force: pages with text left, their invisible layer redone, or every page rasterised' },
      deskew: { field: 'deskew', inOptions: true, type: 'boolean', help: 'straighten skewed pages before reading them' },
      sidecar: { field: 'sidecar', inOptions: true, type: 'boolean', help: 'the searchable PDF and its text, in one zip' },
      'no-rotate': { field: 'rotatePages', inOptions: true, type: 'boolean', negate: true, help: 'leave pages as they lie (default: turned upright)' },
      'no-optimize': { field: 'optimize', inOptions: true, type: 'boolean', negate: true, help: "keep the scan's own pixels (default: compressed)" },
    },
  },
  summarize: {
    name: 'summarize',
    route: '/api/ai/summarize',
    jobType: 'ai_summarize',
    summary: 'summarise a PDF or a text file (AI, or extractive without a provider)',
    extensions: ['.pdf', '.txt', '.md'],
    acceptsText: true,
    optionsField: true,
    usage: 'pdf-smaller summarize FILES… [--style concise] [--length short]',
    flags: {
      style: { field: 'style', inOptions: true, type: 'string', help: 'concise | detailed | academic | casual | professional' },
      length: { field: 'maxLength', inOptions: true, type: 'string', help: 'short | medium | long' },
    },
  },
  translate: {
    name: 'translate',
    route: '/api/ai/translate',
    jobType: 'ai_translate',
    summary: 'translate a PDF or a text file (needs an AI provider)',
    extensions: ['.pdf', '.txt', '.md'],
    acceptsText: true,
    optionsField: true,
    usage: 'pdf-smaller translate FILES… --to fr [-o OUT]',
    flags: {
      to: { field: 'target_language', type: 'string', help: 'target language, ISO 639-1 (required)' },
      from: { field: 'source_language', inOptions: true, type: 'string', help: 'source language (default: detected)' },
    },
  },
  extract: {
    name: 'extract',
    route: '/api/ai/extract',
    jobType: 'ai_extract',
    summary: 'structured data from a PDF, valid against a JSON Schema (needs an AI provider)',
    extensions: PDF,
    optionsField: false,
    usage: 'pdf-smaller extract FILES… (--schema schema.json | --preset invoice) [--format csv]',
    flags: {
      schema: { field: 'schema', type: 'string', file: true, help: 'a JSON Schema file (root type object)' },
      preset: { field: 'preset', type: 'string', help: 'invoice | bank_statement' },
      format: { field: 'export_format', type: 'string', help: 'json | csv | xlsx (default json)' },
    },
  },
};

export const isCommand = (name: string | undefined): name is CommandName => name !== undefined && Object.hasOwn(COMMANDS, name);
