import type { Config } from '../config.js';
import { aiRuntime, type AiOverrides } from '../ai/runtime.js';
import type { Handlers } from './types.js';
import { extractHandler } from './ai-extract.js';
import { extractTextHandler } from './ai-extract-text.js';
import { summarizeHandler } from './ai-summarize.js';
import { translateHandler } from './ai-translate.js';
import { bulkCompressHandler } from './bulk-compress.js';
import { compressHandler } from './compress.js';
import { convertHandler } from './convert.js';
import { exportHandler } from './export.js';
import { ocrHandler } from './ocr.js';
import { webhookHandler } from './webhook.js';

export type { Handlers } from './types.js';
export { noopHandler } from './noop.js';

export interface HandlerOptions {
  /** Tests: short AI timeouts, small backoff and chunks, a fake provider. */
  ai?: AiOverrides;
}

/**
 * Every job type this build runs, by the `type` its rows carry: one line per type. The AI
 * types share one runtime (one provider client); they run on the io lane, the PDF types on
 * the cpu lane (each handler says which).
 */
export function defaultHandlers(config: Config, opts: HandlerOptions = {}): Handlers {
  const ai = aiRuntime(config, opts.ai);
  return {
    compress: compressHandler(config),
    bulk_compress: bulkCompressHandler(config),
    convert: convertHandler(config),
    ocr: ocrHandler(config),
    ai_summarize: summarizeHandler(ai),
    ai_translate: translateHandler(ai),
    ai_extract_text: extractTextHandler(ai),
    ai_extract: extractHandler(ai),
    export: exportHandler(config),
    webhook: webhookHandler(config),
  };
}
