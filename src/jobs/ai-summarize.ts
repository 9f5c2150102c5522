import type { FileJobHandler } from './types.js';
import { documentFields, jobOptions, readDocumentText } from '../ai/job-input.js';
import type { SummaryLength, SummaryStyle } from '../ai/prompts.js';
import { callContext, type AiRuntime } from '../ai/runtime.js';
import { summarizeExtractive, summarizeWithModel } from '../ai/summarize.js';

/** The stored options of an ai_summarize job (see routes/ai.ts). */
export interface SummarizeJobOptions {
  style: SummaryStyle;
  maxLength: SummaryLength;
  /** auto: the model when a provider is configured, else extractive. */
  engine: 'auto' | 'extractive';
}

/**
 * ai_summarize: the model's summary (map-reduced when long), or, with no provider or
 * engine=extractive, the text's own key sentences ranked by TextRank (`engine: "extractive"`).
 */
export function summarizeHandler(rt: AiRuntime): FileJobHandler {
  return {
    lane: 'io',
    async run(ctx) {
      const o = jobOptions<SummarizeJobOptions>(ctx);
      const doc = await readDocumentText(ctx, { config: rt.config, maxPages: rt.config.maxPages, maxChars: rt.opts.maxInputChars, requireText: true });
      const common = { style: o.style, max_length: o.maxLength, ...documentFields(doc) };
      if (!rt.client || o.engine === 'extractive') {
        ctx.progress({ percent: 50, stage: 'ranking sentences' });
        const ex = await summarizeExtractive(doc.text, o.maxLength);
        return {
          result: {
            summary: ex.summary,
            engine: 'extractive',
            model: null,
            usage: null,
            key_sentences: ex.sentences,
            sentence_count: ex.sentenceCount,
            ...common,
            note: rt.client ? 'Extractive summary requested: key sentences of the text, style not applied.' : 'No AI provider is configured: key sentences of the text, style not applied.',
          },
        };
      }
      const call = callContext(ctx);
      const s = await summarizeWithModel(rt.client, doc.text, o, { contextChars: rt.opts.contextChars, concurrency: rt.opts.concurrency }, call, ctx.progress);
      return { result: { summary: s.summary, engine: 'llm', model: s.model, usage: call.usage, chunks: s.chunks, ...common } };
    },
  };
}
