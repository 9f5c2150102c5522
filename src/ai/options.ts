import { AppError } from '../errors.js';
import { ExtractFieldsSchema, SummarizeOptionsSchema, TranslateOptionsSchema } from '../schemas/ai.js';
import { parseFields } from '../schemas/fields.js';
import { parseOptions } from './intake.js';
import { compileSchema, MAX_SCHEMA_BYTES, SchemaError } from './json-schema.js';
import { parseLanguage } from './languages.js';

/**
 * The fields of the AI routes → a job's options, with the same 400 INVALID_OPTIONS naming the
 * field on every path (the routes, and the command line's in-process runs).
 */
type Fields = Record<string, unknown>;

const LANGUAGE_HINT = 'an ISO 639-1 code such as en, fr, de, es, zh (optionally with a region, e.g. pt-BR)';

/** A top-level text field (form or JSON): a string, or absent. */
function stringField(fields: Fields, name: string): string | undefined {
  const v = fields[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AppError('INVALID_OPTIONS', `${name} must be a string.`, { fields: [{ field: name }] });
  return v;
}

export function summarizeOptions(fields: Fields): Record<string, unknown> {
  return parseOptions(SummarizeOptionsSchema, fields.options);
}

export function translateOptions(fields: Fields): Record<string, unknown> {
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
}

export function extractOptions(fields: Fields): Record<string, unknown> {
const f = parseFields(ExtractFieldsSchema, fields as Record<string, string>);
const rawSchema = stringField(fields, 'schema')?.trim() || undefined;
if (!rawSchema === !f.preset) {
  throw new AppError('INVALID_OPTIONS', 'Send exactly one of schema (a JSON Schema) or preset (invoice, bank_statement).', { fields: [{ field: 'schema' }, { field: 'preset' }] });
}
return { export_format: f.export_format, ...(f.preset ? { preset: f.preset } : { schema: readSchema(rawSchema!) }) };
}

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
