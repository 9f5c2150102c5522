import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { RE2 } from 're2-wasm';

/** A user's schema that cannot be used; routes answer 400 INVALID_OPTIONS with the message. */
export class SchemaError extends Error {
  override name = 'SchemaError';
}

export const MAX_SCHEMA_BYTES = 64 * 1024;
const MAX_DEPTH = 32;

/**
 * `pattern`, `patternProperties` and `propertyNames` patterns run on the main thread against
 * model output, so they are compiled with RE2 (re2-wasm: linear-time matching, no
 * backtracking), never with the JavaScript engine's backtracking RegExp: `(a+)+$` against a
 * long string takes microseconds instead of freezing the service. A pattern RE2 cannot run
 * (back-references, lookaround) is refused with the schema.
 */
function re2RegExp(pattern: string, flags: string): { test: (s: string) => boolean; toString(): string } {
  if (pattern.length > 1000) throw new SchemaError('a "pattern" in the schema is longer than 1000 characters');
  let re: RE2;
  try {
    re = new RE2(pattern, flags.includes('u') ? flags : `${flags}u`);
  } catch (err) {
    throw new SchemaError(
      `the pattern ${JSON.stringify(pattern.slice(0, 80))} cannot be used: ${(err as Error).message.slice(0, 120)} (patterns run on RE2: no back-references or lookaround)`,
    );
  }
  // ajv keys its cache of compiled patterns by toString(): without it every pattern of a
  // schema would share the first one's RegExp.
  return { test: (s: string) => re.test(s), toString: () => `/${pattern}/${flags}` };
}
re2RegExp.code = 're2RegExp';

function depth(value: unknown, level = 0): number {
  if (level > MAX_DEPTH || value === null || typeof value !== 'object') return level;
  let max = level;
  for (const v of Object.values(value)) max = Math.max(max, depth(v, level + 1));
  return max;
}

/**
 * Compiles a JSON Schema (draft-07 / 2019 style, as ajv reads it). A fresh Ajv per schema:
 * ajv caches every compiled schema on its instance, which would grow with every job.
 * Formats ("date", "email") are not checked: the model is asked for them, a near miss is
 * not worth failing a job over. Remote $refs are never fetched: they fail compilation.
 */
export function compileSchema(schema: unknown): ValidateFunction {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw new SchemaError('the schema must be a JSON object');
  if (depth(schema) > MAX_DEPTH) throw new SchemaError(`the schema is nested deeper than ${MAX_DEPTH} levels`);
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, logger: false, code: { regExp: re2RegExp } });
  try {
    return ajv.compile(schema);
  } catch (err) {
    if (err instanceof SchemaError) throw err;
    throw new SchemaError(`the schema is not valid: ${(err as Error).message.slice(0, 300)}`);
  }
}

/** "/total must be number; /line_items/0 must have required property 'amount'" (first 10). */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const list = (errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is not valid'}`);
  return list.join('; ') || 'it does not conform to the schema';
}

export type JsonAnswer = { ok: true; value: unknown } | { ok: false; problem: string };

/**
 * A model's JSON answer, read leniently: models wrap JSON in ```json fences or put a
 * sentence before it, so after a strict parse fails the outermost {...} or [...] is tried.
 */
export function parseJsonAnswer(text: string): JsonAnswer {
  const unfenced = text.trim().replace(/^```[\w-]*\s*\n?([\s\S]*?)\n?```$/, '$1').trim();
  try {
    return { ok: true, value: JSON.parse(unfenced) };
  } catch {
    const open = unfenced.search(/[[{]/);
    const close = Math.max(unfenced.lastIndexOf('}'), unfenced.lastIndexOf(']'));
    if (open >= 0 && close > open) {
      try {
        return { ok: true, value: JSON.parse(unfenced.slice(open, close + 1)) };
      } catch {
        /* fall through */
      }
    }
    return { ok: false, problem: 'the answer is not valid JSON' };
  }
}
