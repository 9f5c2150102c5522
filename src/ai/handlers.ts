import type { Config } from '../config.js';
import type { Handlers } from '../handlers.js';
import { extractHandler } from './extract-job.js';
import { extractTextHandler } from './extract-text-job.js';
import { aiRuntime, type AiOverrides } from './runtime.js';
import { summarizeHandler } from './summarize-job.js';
import { translateHandler } from './translate-job.js';

/**
 * The AI job types, all on the io lane (they wait on the network; the PDF text itself is
 * extracted in the worker pool). One client is shared by the four, so one provider config.
 * Tests pass overrides for short timeouts, small backoff and small chunks.
 */
export function aiHandlers(config: Config, overrides: AiOverrides = {}): Handlers {
  const rt = aiRuntime(config, overrides);
  return {
    ai_summarize: summarizeHandler(rt),
    ai_translate: translateHandler(rt),
    ai_extract_text: extractTextHandler(rt),
    ai_extract: extractHandler(rt),
  };
}
