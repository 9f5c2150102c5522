import { Type, type Static } from '@sinclair/typebox';

const literals = <T extends string>(values: readonly T[], def: T, description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { default: def, description });

/** Largest JSON `text` accepted by summarize and translate (UTF-8 bytes); more → 413 TEXT_TOO_LARGE. */
export const MAX_TEXT_BYTES = 100 * 1024;

/** `options` of POST /api/ai/summarize. */
export const SummarizeOptionsSchema = Type.Object({
  style: literals(['concise', 'detailed', 'academic', 'casual', 'professional'] as const, 'concise', 'tone and depth of the summary'),
  maxLength: literals(['short', 'medium', 'long'] as const, 'medium', 'short ≈ 2–3 sentences, medium ≈ 150–250 words, long ≈ 400–600 words'),
  engine: literals(['auto', 'extractive'] as const, 'auto', 'auto = the AI provider when configured, else extractive; extractive = key sentences (TextRank), no provider call'),
});
export type SummarizeOptions = Static<typeof SummarizeOptionsSchema>;

/** `options` of POST /api/ai/translate. */
export const TranslateOptionsSchema = Type.Object({
  source_language: Type.Optional(Type.String({ description: 'ISO 639-1 code of the text; default: detected by the model' })),
});

/** Form fields of POST /api/ai/extract besides `file` and `schema`. */
export const ExtractFieldsSchema = Type.Object({
  preset: Type.Optional(Type.Union([Type.Literal('invoice'), Type.Literal('bank_statement')], { description: 'a built-in schema, instead of `schema`' })),
  export_format: literals(['json', 'csv', 'xlsx'] as const, 'json', 'format of the downloadable result file'),
});

const jobId = Type.Optional(Type.String({ format: 'uuid', description: 'client-chosen job id: resubmitting it returns the same job' }));
const webhookUrl = Type.Optional(Type.String({ description: 'POSTed the final job JSON' }));
const optionsField = (what: string) => Type.Optional(Type.String({ description: `JSON object: ${what}` }));
const pdf = Type.String({ format: 'binary', description: 'the PDF' });
const password = Type.Optional(Type.String({ description: 'opens a password-protected PDF (used once at submission; never stored)' }));

/** The JSON bodies, for the OpenAPI document (the route validates them itself; see routes/ai.ts). */
export const SummarizeBodySchema = Type.Object({
  text: Type.String({ description: `the text to summarise, at most ${MAX_TEXT_BYTES / 1024} KB` }),
  options: Type.Optional(SummarizeOptionsSchema),
  job_id: jobId,
  webhook_url: webhookUrl,
});
export const TranslateBodySchema = Type.Object({
  text: Type.String({ description: `the text to translate, at most ${MAX_TEXT_BYTES / 1024} KB` }),
  target_language: Type.String({ description: 'ISO 639-1 code (en, fr, de, zh…), optionally with a region (pt-BR)' }),
  options: Type.Optional(TranslateOptionsSchema),
  job_id: jobId,
  webhook_url: webhookUrl,
});

/** The multipart forms, for the OpenAPI document (config.openapiBody). */
export const SummarizeFormSchema = Type.Object({ file: pdf, password, options: optionsField('style, maxLength, engine (as in the JSON form)'), job_id: jobId, webhook_url: webhookUrl });
export const TranslateFormSchema = Type.Object({ file: pdf, password, target_language: Type.String(), options: optionsField('source_language'), job_id: jobId, webhook_url: webhookUrl });
export const ExtractTextFormSchema = Type.Object({ file: pdf, password, job_id: jobId, webhook_url: webhookUrl });
export const ExtractFormSchema = Type.Object({
  file: pdf,
  password,
  schema: Type.Optional(Type.String({ description: 'a JSON Schema (root type object), at most 64 KB' })),
  preset: Type.Optional(Type.String({ description: 'invoice | bank_statement, instead of schema' })),
  export_format: Type.Optional(Type.String({ description: 'json (default) | csv | xlsx' })),
  job_id: jobId,
  webhook_url: webhookUrl,
});
