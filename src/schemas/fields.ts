import { Kind, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AppError } from '../errors.js';

/** "one of low, medium, high" / "an integer from 10 to 100": what a schema allows, in words. */
export function describeAllowed(schema: TSchema): string {
  const s = schema as TSchema & { anyOf?: { const?: unknown }[]; minimum?: number; maximum?: number };
  if (s[Kind] === 'Union' && s.anyOf?.every((v) => v.const !== undefined)) {
    return `one of ${s.anyOf.map((v) => String(v.const)).join(', ')}`;
  }
  if (s[Kind] === 'Integer' || s[Kind] === 'Number') {
    const what = s[Kind] === 'Integer' ? 'an integer' : 'a number';
    if (s.minimum !== undefined && s.maximum !== undefined) return `${what} from ${s.minimum} to ${s.maximum}`;
    if (s.minimum !== undefined) return `${what} of at least ${s.minimum}`;
    return what;
  }
  if (s[Kind] === 'Boolean') return 'true or false';
  return `a ${String(s[Kind]).toLowerCase()}`;
}

/**
 * Multipart text fields → typed options. Only the schema's own keys are read (clients may send
 * more), empty strings count as absent, defaults fill the gaps, and a bad value is refused with
 * 400 INVALID_OPTIONS naming the field, the value and what is allowed.
 */
export function parseFields<T extends TObject>(schema: T, fields: Record<string, string | undefined>): Static<T> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const v = fields[key];
    if (v !== undefined && v.trim() !== '') picked[key] = v.trim();
  }
  const value = Value.Default(schema, Value.Convert(schema, picked));
  if (Value.Check(schema, value)) return value as Static<T>;
  const problems = Object.entries(schema.properties as Record<string, TSchema>)
    .filter(([key, prop]) => (value as Record<string, unknown>)[key] !== undefined && !Value.Check(prop, (value as Record<string, unknown>)[key]))
    .map(([key, prop]) => ({ field: key, value: String(picked[key]).slice(0, 100), allowed: describeAllowed(prop) }));
  const message = problems.length
    ? problems.map((p) => `${p.field}=${JSON.stringify(p.value)} is not valid: expected ${p.allowed}`).join('; ')
    : 'The options are not valid.';
  throw new AppError('INVALID_OPTIONS', message, { fields: problems });
}
