import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { receivePdf, receiveTextOrPdf, type AiIntake } from '../ai/intake.js';
import { extractOptions, summarizeOptions, translateOptions } from '../ai/options.js';
import { resolveProvider } from '../ai/provider.js';
import { ExtractFormSchema, ExtractTextFormSchema, MAX_TEXT_BYTES, SummarizeFormSchema, TranslateFormSchema } from '../schemas/ai.js';
import { SubmitQuerySchema, submitResponses } from '../schemas/common.js';
import { checkPdf, submitUpload } from './submit.js';

/**
 * POST /api/ai/summarize, /translate, /extract-text, /extract. Each answers 202 with a job
 * (types ai_summarize, ai_translate, ai_extract_text, ai_extract; run by src/ai/ handlers).
 * Translate and extract need a provider and refuse with 503 AI_NOT_CONFIGURED before storing
 * anything; summarize falls back to an extractive summary; extract-text returns the text alone.
 */
export const aiRoutes: FastifyPluginAsync = async (app) => {
  const resolved = resolveProvider(app.config.env);
  const provider = resolved.provider;
  const problem = resolved.provider ? undefined : resolved.problem;
  if (problem) app.log.warn(problem);
  const requireProvider = () => {
    if (!provider) {
      throw new AppError('AI_NOT_CONFIGURED', problem ?? 'No AI provider is configured on this server (set AI_BASE_URL, AI_API_KEY and AI_MODEL, or OPENAI_API_KEY, or OPENROUTER_API_KEY).');
    }
  };

  // A JSON body past the app's bodyLimit is a text that is too long, in this plugin's words.
  app.setErrorHandler((err: Error & { code?: string }) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      throw new AppError('TEXT_TOO_LARGE', `The request body is too large; text is limited to ${MAX_TEXT_BYTES / 1024} KB. Send longer documents as a PDF in "file".`);
    }
    throw err; // to the app's handler: one envelope for every route
  });

  const route = (operationId: string, summary: string, description: string, form: unknown) => ({
    schema: { operationId, summary, description, tags: ['ai'], querystring: SubmitQuerySchema, response: submitResponses },
    config: { openapiBody: form },
  });

  app.post(
    '/api/ai/summarize',
    route(
      'summarize',
      'Summarise a text or a PDF',
      'JSON `{text, options: {style, maxLength, engine}, job_id?}` (text ≤ 100 KB) or multipart `file` (PDF) + `options` (JSON string). ' +
        'Result: `summary`, `engine` (llm | extractive), `model`, `usage`. Works without an AI provider (extractive summary).',
      SummarizeFormSchema,
    ),
    (request, reply) =>
      submitAi(app, request, reply, 'ai_summarize', receiveTextOrPdf, summarizeOptions, provider ? 'Summary job queued.' : 'Summary job queued (no AI provider configured: extractive summary).'),
  );

  app.post(
    '/api/ai/translate',
    route(
      'translate',
      'Translate a text or a PDF',
      'JSON `{text, target_language, options: {source_language?}, job_id?}` (text ≤ 100 KB) or multipart `file` (PDF) + `target_language`. ' +
        'Result: `translated_text` (also the download). Needs an AI provider (503 AI_NOT_CONFIGURED otherwise).',
      TranslateFormSchema,
    ),
    async (request, reply) => {
      requireProvider();
      return submitAi(app, request, reply, 'ai_translate', receiveTextOrPdf, translateOptions, 'Translation job queued.');
    },
  );

  app.post(
    '/api/ai/extract-text',
    route(
      'extractText',
      'Text of a PDF, per page, with an AI analysis',
      'multipart `file` (PDF). Result: `pages` [{page, text, has_text}], `analysis` (document_type, language, summary, key_points, entities) when an AI provider is configured, else null.', ExtractTextFormSchema),
    (request, reply) => submitAi(app, request, reply, 'ai_extract_text', receivePdf, () => ({}), 'Text extraction job queued.'),
  );

  app.post(
    '/api/ai/extract',
    route(
      'extractData',
      'Structured data from a PDF, validated against a JSON Schema',
      'multipart `file` (PDF) + `schema` (JSON Schema, root type object) or `preset` (invoice | bank_statement); `export_format` json | csv | xlsx. ' +
        'Result: `data` (valid against the schema), also as the download. Needs an AI provider.',
      ExtractFormSchema,
    ),
    async (request, reply) => {
      requireProvider();
      return submitAi(app, request, reply, 'ai_extract', receivePdf, extractOptions, 'Extraction job queued.');
    },
  );
};

/**
 * The four routes through the one submission path: the options read from the intake (JSON
 * text or a PDF), a PDF checked in the probe thread (JSON text needs no check).
 */
function submitAi(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  type: string,
  receive: (app: FastifyInstance, request: FastifyRequest) => Promise<AiIntake>,
  readOptions: (fields: Record<string, unknown>) => Record<string, unknown>,
  message: string,
) {
  return submitUpload(app, request, reply, {
    type,
    receive: (r) => receive(app, r),
    options: (intake) => ({ ...readOptions(intake.fields), source: intake.source }),
    check: async (intake, _options, password) => void (intake.source === 'pdf' && (await checkPdf(app, intake.files[0]!, password))),
    message: () => message,
  });
}
