import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { ValidateFunction } from 'ajv';
import type { FileJobHandler } from './types.js';
import { TaskFailure } from '../errors.js';
import { safeFilename } from '../storage/filenames.js';
import { readDocumentText } from '../ai/job-input.js';
import { compileSchema } from '../ai/json-schema.js';
import { ANALYSIS_SCHEMA } from '../ai/presets.js';
import { analyzePrompt } from '../ai/prompts.js';
import { callContext, type AiRuntime } from '../ai/runtime.js';
import { askForJson } from '../ai/structured.js';

let analysisValidator: ValidateFunction | undefined;

/**
 * ai_extract_text: the PDF's text per page (result and a .txt download, pages separated by
 * form feeds as pdftotext does) and, with a provider, an analysis of the document. The text
 * is the point of this job: a failed analysis is reported in `analysis_error`, not as a
 * failed job. The analysis reads the first contextChars of text (the type, language and
 * main points of a document show early; map-reducing a whole book for them is not worth it).
 */
export function extractTextHandler(rt: AiRuntime): FileJobHandler {
  return {
    lane: 'io',
    async run(ctx) {
      const doc = await readDocumentText(ctx, { config: rt.config, maxPages: rt.config.maxPages, maxChars: Number.POSITIVE_INFINITY, requireText: false });
      const pages = doc.pages ?? [];
      const work = await ctx.workDir();
      await writeFile(path.join(work, 'text.txt'), pages.map((p) => `${p.text}\n\f`).join(''), { flag: 'wx' });

      // The row (polled, parsed on every GET) holds a bounded amount; the download holds all.
      let budget = rt.opts.resultTextChars;
      const shown = pages.map((p) => {
        const text = p.text.slice(0, Math.max(0, budget));
        budget -= p.text.length;
        return { page: p.page, text, has_text: p.hasText, ...(text.length < p.text.length ? { truncated: true } : {}) };
      });
      const result: Record<string, unknown> = {
        page_count: doc.pageCount,
        pages: shown,
        text_truncated: budget < 0,
        pages_without_text: doc.pagesWithoutText,
        original_filename: doc.filename,
        engine: 'mupdf',
        analysis: null,
      };
      if (rt.client && /\S/.test(doc.text)) {
        const call = callContext(ctx);
        ctx.progress({ percent: 50, stage: 'analysing' });
        try {
          analysisValidator ??= compileSchema(ANALYSIS_SCHEMA);
          const reply = await askForJson(rt.client, analyzePrompt(doc.text.slice(0, rt.opts.contextChars), ANALYSIS_SCHEMA), analysisValidator, call);
          Object.assign(result, { analysis: reply.value, analysis_truncated: doc.text.length > rt.opts.contextChars, model: reply.model });
        } catch (err) {
          if (!(err instanceof TaskFailure)) throw err; // cancel, timeout, shutdown: the dispatcher's business
          ctx.log.warn({ code: err.code }, 'document analysis failed; returning the text without it');
          result.analysis_error = { code: err.code, message: err.message };
        }
        result.usage = call.usage;
      }
      const base = path.parse(safeFilename(doc.filename)).name;
      return { result, files: [{ name: 'text.txt', downloadName: `${base}.txt`, contentType: 'text/plain; charset=utf-8' }] };
    },
  };
}
