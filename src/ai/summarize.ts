import type { Progress } from '../pool/pool.js';
import { chunkText } from './chunking.js';
import type { AiClient, CallContext } from './client.js';
import { mapLimit } from '../pool/map-limit.js';
import { combineSummariesPrompt, summarizePartPrompt, summarizePrompt, type SummaryLength, type SummaryStyle } from './prompts.js';
import { textRank } from './textrank.js';

export interface SummaryRequest {
  style: SummaryStyle;
  maxLength: SummaryLength;
}

export interface ModelSummary {
  summary: string;
  model: string;
  /** Parts the text was cut into (1 = one call, no map-reduce). */
  chunks: number;
}

export interface Budget {
  /** Characters of input per call: a chunk, or the partial summaries a combining call reads. */
  contextChars: number;
  /** Calls in flight at once for one job. */
  concurrency: number;
}

/** Combining rounds before the partials are cut to fit: a model that will not shorten stops here. */
const MAX_ROUNDS = 4;

/**
 * A text that fits the budget is summarised in one call. A longer one is map-reduced: each
 * chunk (cut on paragraph boundaries) is summarised on its own, then the partial summaries,
 * in order, are combined into one in the requested style and length. When the partials
 * themselves exceed the budget they are combined in groups first, round by round.
 */
export async function summarizeWithModel(
  client: AiClient,
  text: string,
  req: SummaryRequest,
  budget: Budget,
  ctx: CallContext,
  progress: (p: Progress) => void,
): Promise<ModelSummary> {
  const { chunks } = chunkText(text, budget.contextChars);
  if (chunks.length === 1) {
    progress({ percent: 50, stage: 'summarising' });
    const answer = await client.chat(summarizePrompt(text.trim(), req.style, req.maxLength), ctx);
    return { summary: answer.text.trim(), model: answer.model, chunks: 1 };
  }
  let done = 0;
  let model = '';
  let partials = await mapLimit(chunks, budget.concurrency, async (chunk, i) => {
    const answer = await client.chat(summarizePartPrompt(chunk.text, i + 1, chunks.length), ctx);
    model = answer.model;
    progress({ percent: 20 + Math.round((++done / chunks.length) * 60), stage: `summarised part ${done}/${chunks.length}` });
    return answer.text.trim();
  });
  for (let round = 1; partials.join('\n\n').length > budget.contextChars; round++) {
    const groups = chunkText(partials.join('\n\n'), budget.contextChars).chunks;
    if (round > MAX_ROUNDS || groups.length >= partials.length) {
      partials = [partials.join('\n\n').slice(0, budget.contextChars)];
      break;
    }
    progress({ percent: 85, stage: `combining ${partials.length} partial summaries` });
    partials = await mapLimit(groups, budget.concurrency, async (group, i) => {
      const answer = await client.chat(summarizePartPrompt(group.text, i + 1, groups.length), ctx);
      return answer.text.trim();
    });
  }
  progress({ percent: 90, stage: 'combining' });
  const final = await client.chat(combineSummariesPrompt(partials, req.style, req.maxLength), ctx);
  return { summary: final.text.trim(), model: final.model || model, chunks: chunks.length };
}

/** Sentences an extractive summary returns per requested length. */
export const EXTRACTIVE_SENTENCES: Record<SummaryLength, number> = { short: 3, medium: 6, long: 12 };

/** No provider (or engine=extractive): TextRank picks the text's own key sentences. */
export async function summarizeExtractive(text: string, length: SummaryLength): Promise<{ summary: string; sentences: string[]; sentenceCount: number }> {
  const { sentences, sentenceCount } = await textRank(text, EXTRACTIVE_SENTENCES[length]);
  return { summary: sentences.join(' '), sentences, sentenceCount };
}
