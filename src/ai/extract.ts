import type { ValidateFunction } from 'ajv';
import type { Progress } from '../pool/pool.js';
import { TaskFailure } from '../errors.js';
import { chunkText } from './chunking.js';
import type { AiClient, CallContext } from './client.js';
import { describeErrors, parseJsonAnswer } from './json-schema.js';
import { mapLimit } from '../pool/map-limit.js';
import { extractPrompt, repairPrompt } from './prompts.js';
import { askForJson, checkAnswer } from './structured.js';
import type { Budget } from './summarize.js';

export interface Extraction {
  data: unknown;
  model: string;
  chunks: number;
  /** Calls that produced the data beyond one per chunk: 1 when a correction was needed. */
  corrections: number;
}

/**
 * Structured data out of a document's text, validated against `schema`. A text within the
 * budget is one call plus at most one correction (the model sees the validation errors). A
 * longer one is extracted part by part (parts are not validated: "required" fields live on
 * one page only), merged (lists concatenated in document order, the first value found kept
 * for the rest), and if the merge does not validate, one repair call fixes it.
 */
export async function extractData(
  client: AiClient,
  text: string,
  schema: object,
  validate: ValidateFunction,
  budget: Budget,
  ctx: CallContext,
  progress: (p: Progress) => void,
): Promise<Extraction> {
  const { chunks } = chunkText(text, budget.contextChars);
  if (chunks.length === 1) {
    progress({ percent: 50, stage: 'extracting' });
    const reply = await askForJson(client, extractPrompt(text.trim(), schema), validate, ctx);
    return { data: reply.value, model: reply.model, chunks: 1, corrections: reply.attempts - 1 };
  }
  let done = 0;
  let model = '';
  const parts = await mapLimit(chunks, budget.concurrency, async (chunk, i) => {
    const answer = await client.chat(extractPrompt(chunk.text, schema, { index: i + 1, count: chunks.length }), ctx);
    model = answer.model;
    progress({ percent: 20 + Math.round((++done / chunks.length) * 65), stage: `extracted part ${done}/${chunks.length}` });
    const parsed = parseJsonAnswer(answer.text);
    return parsed.ok ? parsed.value : undefined;
  });
  const merged = parts.reduce<unknown>((acc, part) => mergeValues(acc, part), undefined);
  if (merged === undefined) throw new TaskFailure('AI_INVALID_OUTPUT', 'The model did not answer with JSON for any part of the document.', false);
  if (validate(merged)) return { data: merged, model, chunks: chunks.length, corrections: 0 };

  progress({ percent: 90, stage: 'fixing the merged data' });
  const answer = await client.chat(repairPrompt(merged, schema, describeErrors(validate.errors)), ctx);
  const fixed = checkAnswer(answer.text, validate);
  if (!fixed.ok) throw new TaskFailure('AI_INVALID_OUTPUT', `The model's answer did not match the schema, also after a retry: ${fixed.problem.slice(0, 500)}`, false);
  return { data: fixed.value, model: answer.model || model, chunks: chunks.length, corrections: 1 };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Two parts' results → one: lists concatenated, objects merged key by key, else the first real value. */
export function mergeValues(a: unknown, b: unknown): unknown {
  if (a === undefined || a === null || a === '') return b ?? a;
  if (b === undefined || b === null || b === '') return a;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (isObject(a) && isObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) if (k !== '__proto__') out[k] = mergeValues(out[k], v);
    return out;
  }
  return a;
}
