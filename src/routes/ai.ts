import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { compileSchema, MAX_SCHEMA_BYTES, SchemaError } from '../ai/json-schema.js';
import { parseOptions, receivePdf, receiveTextOrPdf, type AiIntake } from '../ai/intake.js';
import { parseLanguage } from '../ai/languages.js';
import { resolveProvider } from '../ai/provider.js';
import {
  ExtractFieldsSchema,
  ExtractFormSchema,
  ExtractTextFormSchema,
  MAX_TEXT_BYTES,
  SummarizeFormSchema,
  SummarizeOptionsSchema,
  TranslateFormSchema,
  TranslateOptionsSchema,
} from '../schemas/ai.js';
import { SubmitQuerySchema, submitResponses } from '../schemas/common.js';
import { parseFields } from '../schemas/fields.js';
import { checkPdf, stringField, submitUpload } from './submit.js';

const LANGUAGE_HINT = 'an ISO 639-1 code such as en, fr, de, es, zh (optionally with a region, e.g. pt-BR)';

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
      submitAi(app, request, reply, 'ai_summarize', receiveTextOrPdf, (fields) => parseOptions(SummarizeOptionsSchema, fields.options), provider ? 'Summary job queued.' : 'Summary job queued (no AI provider configured: extractive summary).'),
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
      return submitAi(app, request, reply, 'ai_translate', receiveTextOrPdf, (fields) => {
        const raw = stringField(fields, 'target_language');
        const target = parseLanguage(raw);
        if (!target) {
          const what = raw === undefined ? 'target_language is required' : `target_language=${JSON.stringify(raw.slice(0, 40))} is not valid`;
          throw new AppError('INVALID_OPTIONS', `${what}: expected ${LANGUAGE_HINT}.`, { fields: [{ field: 'target_language', allowed: LANGUAGE_HINT }] });
        }
        const options = parseOptions(TranslateOptionsSchema, fields.options);
        const source = options.source_language === undefined ? undefined : parseLanguage(options.source_language);
        if (options.source_language !== undefined && !source) {
          throw new AppError('INVALID_OPTIONS', `source_language=${JSON.stringify(options.source_language.slice(0, 40))} is not valid: expected ${LANGUAGE_HINT}.`, { fields: [{ field: 'source_language' }] });
        }
        return { target_language: target.code, ...(source ? { source_language: source.code } : {}) };
      }, 'Translation job queued.');
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
      return submitAi(app, request, reply, 'ai_extract', receivePdf, (fields) => {
        const f = parseFields(ExtractFieldsSchema, fields as Record<string, string>);
        const rawSchema = stringField(fields, 'schema')?.trim() || undefined;
        if (!rawSchema === !f.preset) {
          throw new AppError('INVALID_OPTIONS', 'Send exactly one of schema (a JSON Schema) or preset (invoice, bank_statement).', { fields: [{ field: 'schema' }, { field: 'preset' }] });
        }
        return { export_format: f.export_format, ...(f.preset ? { preset: f.preset } : { schema: readSchema(rawSchema!) }) };
      }, 'Extraction job queued.');
    },
  );
};

/** The client's schema field → a compiled-once-to-check JSON Schema object, or a 400 saying why not. */
function readSchema(raw: string): object {
  const bad = (why: string) => new AppError('INVALID_OPTIONS', `schema: ${why}`, { fields: [{ field: 'schema' }] });
  if (Buffer.byteLength(raw) > MAX_SCHEMA_BYTES) throw bad(`larger than ${MAX_SCHEMA_BYTES / 1024} KB`);
  let schema: unknown;
  try {
    schema = JSON.parse(raw);
  } catch {
    throw bad('not valid JSON');
  }
  try {
    compileSchema(schema);
  } catch (err) {
    if (err instanceof SchemaError || err instanceof RangeError) throw bad(err.message);
    throw err;
  }
  const type = (schema as { type?: unknown }).type;
  if (type !== 'object') throw bad('the root must be {"type": "object", …}');
  return schema as object;
}

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
