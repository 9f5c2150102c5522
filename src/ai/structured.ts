import type { ValidateFunction } from 'ajv';
import { TaskFailure } from '../errors.js';
import type { AiClient, CallContext, ChatMessage } from './client.js';
import { describeErrors, parseJsonAnswer } from './json-schema.js';
import { correctionMessages } from './prompts.js';

export interface JsonReply {
  value: unknown;
  model: string;
  /** 1, or 2 when the first answer had to be corrected. */
  attempts: number;
}

/** Parses and validates one answer: the value, or what was wrong with it in words. */
export function checkAnswer(text: string, validate: ValidateFunction): { ok: true; value: unknown } | { ok: false; problem: string } {
  const parsed = parseJsonAnswer(text);
  if (!parsed.ok) return parsed;
  if (!validate(parsed.value)) return { ok: false, problem: describeErrors(validate.errors) };
  return { ok: true, value: parsed.value };
}

/**
 * Asks for JSON that conforms to a schema, with exactly one retry that shows the model its
 * previous answer and the validation errors. A second bad answer fails the job with
 * AI_INVALID_OUTPUT (not retried: the same prompt would likely fail the same way, at a cost).
 */
export async function askForJson(client: AiClient, messages: ChatMessage[], validate: ValidateFunction, ctx: CallContext): Promise<JsonReply> {
  const first = await client.chat(messages, ctx);
  const one = checkAnswer(first.text, validate);
  if (one.ok) return { value: one.value, model: first.model, attempts: 1 };
  ctx.log.info({ problem: one.problem.slice(0, 300) }, 'AI answer did not validate; asking once more');
  const second = await client.chat([...messages, ...correctionMessages(first.text, one.problem)], ctx);
  const two = checkAnswer(second.text, validate);
  if (two.ok) return { value: two.value, model: second.model, attempts: 2 };
  throw new TaskFailure('AI_INVALID_OUTPUT', `The model's answer did not match the schema, also after a retry: ${two.problem.slice(0, 500)}`, false);
}
