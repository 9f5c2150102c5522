import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ErrorSchema } from '../schemas/common.js';
import { probeCapabilities, type Capabilities } from '../capabilities.js';
import { countByStatus } from '../queue/index.js';

const Envelope = Type.Object({
  success: Type.Literal(true),
  message: Type.String(),
  data: Type.Object({}, { additionalProperties: true }),
});

/**
 * GET /api/extended-features/status and /capabilities, in the original service's shape
 * ({success, message, data: {conversion, ocr, ai, cloud, …}}), computed from what this node
 * really has: tools on PATH, installed OCR languages, configured providers, the queue.
 */
export const featureRoutes: FastifyPluginAsync = async (app) => {
  let caps: Capabilities | undefined;
  const capabilities = async () => (caps ??= await probeCapabilities(app.config));
  app.addHook('onReady', async () => void (await capabilities()));
  const maxMb = `${Math.round(app.config.maxFileSizeBytes / 1024 / 1024)}MB`;

  app.get(
    '/api/extended-features/status',
    { schema: { operationId: 'getFeatureStatus', summary: 'Which features are available on this server now', tags: ['system'], response: { 200: Envelope, '4xx': ErrorSchema } } },
    async () => {
      const c = await capabilities();
      const queue = await countByStatus(app.store.db);
      const workers = app.pools.jobs.alive;
      return {
        success: true as const,
        message: 'Extended features status retrieved successfully',
        data: {
          compression: { available: workers, engines: ['mupdf', ...(c.tools.ghostscript ? ['ghostscript'] : []), ...(c.tools.qpdf ? ['qpdf'] : [])], max_file_size: maxMb, async_processing: true },
          conversion: { available: workers, supported_formats: ['txt', 'html', 'docx', 'xlsx', 'images'], max_file_size: maxMb, async_processing: true },
          ocr: {
            available: workers && c.ocrLanguages.length > 0,
            supported_formats: ['pdf', 'png', 'jpg', 'jpeg', 'tiff', 'bmp', 'webp', 'gif'],
            languages: c.ocrLanguages,
            engines: ['wasm', ...(c.tools.tesseract ? ['native'] : [])],
            engine_setting: app.config.ocrEngine,
            max_file_size: maxMb,
            async_processing: true,
          },
          ai: {
            available: true,
            provider_configured: c.ai.configured,
            // Without a provider, summaries are extractive (key sentences); translation and extraction need one.
            features: c.ai.configured ? ['summarize', 'translate', 'extract-text', 'extract'] : ['summarize', 'extract-text'],
            ...(c.ai.provider ? { provider: c.ai.provider } : {}),
            ...(c.ai.model ? { model: c.ai.model } : {}),
            async_processing: true,
          },
          cloud: { available: c.cloudProviders.length > 0, supported_providers: c.cloudProviders, async_processing: true },
          queue: {
            database: app.store.dialect,
            job_processing: workers,
            worker_threads: app.pools.jobs.size,
            busy_threads: app.pools.jobs.busy,
            pending: queue.pending,
            processing: queue.processing,
          },
          timestamp: new Date().toISOString(),
        },
      };
    },
  );

  app.get(
    '/api/extended-features/capabilities',
    { schema: { operationId: 'getFeatureCapabilities', summary: 'What each feature accepts (options and limits)', tags: ['system'], response: { 200: Envelope, '4xx': ErrorSchema } } },
    async () => {
      const c = await capabilities();
      return {
        success: true as const,
        message: 'Extended features capabilities retrieved successfully',
        data: {
          compression: {
            name: 'PDF Compression',
            options: { compressionLevel: ['low', 'medium', 'high', 'maximum'], imageQuality: { min: 10, max: 100, default: 80 } },
            limits: { max_file_size: maxMb, max_files: app.config.maxFiles, max_pages: app.config.maxPages },
            processing_mode: 'async',
          },
          conversion: {
            name: 'PDF Conversion',
            formats: ['txt', 'html', 'docx', 'xlsx', 'images'],
            options: { pages: 'string (e.g. 1-3,7)', dpi: 'integer (images)', imageFormat: ['png', 'jpeg'] },
            processing_mode: 'async',
          },
          ocr: {
            name: 'Optical Character Recognition',
            languages: c.ocrLanguages,
            options: {
              language: 'string (e.g. eng, eng+fra, or auto)',
              outputFormat: ['searchable_pdf', 'text', 'json', 'hocr', 'alto'],
              pages: 'string',
              dpi: 'integer',
              mode: ['skip', 'redo', 'force'],
              rotatePages: 'boolean (default true)',
              deskew: 'boolean (default false)',
              sidecar: 'boolean (searchable_pdf + text in a zip)',
              optimize: 'boolean (default true)',
            },
            processing_mode: 'async',
          },
          ai: {
            name: 'AI-Powered Features',
            provider_configured: c.ai.configured,
            options: {
              style: ['concise', 'detailed', 'academic', 'casual', 'professional'],
              maxLength: ['short', 'medium', 'long'],
              target_language: 'string (ISO 639-1 code)',
            },
            processing_mode: 'async',
          },
          cloud: { name: 'Cloud Export', providers: c.cloudProviders, processing_mode: 'async' },
        },
      };
    },
  );
};
