import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { FileJobHandler } from './types.js';
import { safeFilename } from '../storage/filenames.js';
import { documentFields, jobOptions, readDocumentText } from '../ai/job-input.js';
import { parseLanguage } from '../ai/languages.js';
import { callContext, requireClient, type AiRuntime } from '../ai/runtime.js';
import { translateText } from '../ai/translate.js';

/** The stored options of an ai_translate job (codes were validated at submission). */
export interface TranslateJobOptions {
  target_language: string;
  source_language?: string;
}

/** ai_translate: the translated text in the result and as a .txt download. */
export function translateHandler(rt: AiRuntime): FileJobHandler {
  return {
    lane: 'io',
    async run(ctx) {
      const client = requireClient(rt);
      const o = jobOptions<TranslateJobOptions>(ctx);
      const target = parseLanguage(o.target_language);
      if (!target) throw new Error(`stored target_language ${JSON.stringify(o.target_language)} is not valid`);
      const source = parseLanguage(o.source_language);
      const doc = await readDocumentText(ctx, { config: rt.config, maxPages: rt.config.maxPages, maxChars: rt.opts.maxInputChars, requireText: true });
      const call = callContext(ctx);
      const t = await translateText(client, doc.text, target, source, { chunkChars: rt.opts.translateChunkChars, concurrency: rt.opts.concurrency }, call, ctx.progress);
      const work = await ctx.workDir();
      await writeFile(path.join(work, 'translation.txt'), t.text, { flag: 'wx' });
      const base = doc.filename ? path.parse(safeFilename(doc.filename)).name : 'text';
      return {
        result: {
          translated_text: t.text,
          target_language: target.code,
          target_language_name: target.name,
          ...(source ? { source_language: source.code } : {}),
          engine: 'llm',
          model: t.model,
          usage: call.usage,
          chunks: t.chunks,
          ...documentFields(doc),
        },
        files: [{ name: 'translation.txt', downloadName: `${base}_${target.code}.txt`, contentType: 'text/plain; charset=utf-8' }],
      };
    },
  };
}
