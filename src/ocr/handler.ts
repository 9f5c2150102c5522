import path from 'node:path';
import type { Config } from '../config.js';
import type { FileJobInput, JobHandler } from '../handlers.js';
import { TaskFailure } from '../pool.js';
import { parsePageSpec } from '../schemas/pages.js';
import { safeFilename, withSuffix } from '../storage/filenames.js';
import { AppError } from '../errors.js';
import { resolveEngine } from './engine.js';
import type { AssembleResult } from '../../workers/ocr/assemble.js';
import type { OcrInputKind, OcrOutputFormat, OcrPageResult, OcrPlan, PlannedPage } from '../../workers/ocr/types.js';

/** The options an ocr job row holds (validated and normalised by routes/ocr.ts). */
export interface OcrJobOptions {
  kind: OcrInputKind;
  language: string;
  outputFormat: OcrOutputFormat;
  pages?: string;
  dpi: number;
  skipText: boolean;
}

const OUTPUTS: Record<OcrOutputFormat, { file: string; ext: string; contentType: string }> = {
  searchable_pdf: { file: 'ocr.pdf', ext: '.pdf', contentType: 'application/pdf' },
  text: { file: 'ocr.txt', ext: '.txt', contentType: 'text/plain; charset=utf-8' },
  json: { file: 'ocr.json', ext: '.json', contentType: 'application/json' },
};

/**
 * Pages per recognise task. One page per task balances best, but every task opens the
 * document again (a 100 MB scan is read and parsed each time); chunks of up to 4 pages, and
 * at least 3 tasks per thread so the last pages do not run on one thread while the others idle.
 */
function chunk(pages: PlannedPage[], threads: number): PlannedPage[][] {
  const size = Math.max(1, Math.min(4, Math.ceil(pages.length / (Math.max(1, threads) * 3))));
  const out: PlannedPage[][] = [];
  for (let i = 0; i < pages.length; i += size) out.push(pages.slice(i, i + size));
  return out;
}

/**
 * An OCR job: plan (one task) → recognise pages spread over the pool threads (ctx.pool.map
 * keeps at most one task per thread in flight) → assemble the output (one task). Progress
 * moves with every recognised page.
 */
export function ocrHandler(config: Config): JobHandler {
  return {
    lane: 'cpu',
    async run(ctx) {
      const input = ctx.job.input as FileJobInput;
      const file = input.files[0];
      if (!file) throw new Error('ocr job without an input file');
      const o = input.options as unknown as OcrJobOptions;
      const langs = o.language.split('+');
      let engine;
      try {
        engine = await resolveEngine(config.ocrEngine);
      } catch (err) {
        if (err instanceof AppError) throw new TaskFailure(err.code, err.message, false);
        throw err;
      }
      const workDir = await ctx.workDir();
      ctx.progress({ percent: 1, stage: 'preparing pages' });
      const plan = await ctx.pool.run<OcrPlan & { imageDpiKnown?: boolean[] }>(
        'ocrPlan',
        { input: path.join(ctx.inputDir, file.stored), kind: o.kind, workDir, maxPages: config.maxPages, dpi: o.dpi, pages: parsePageSpec(o.pages), skipText: o.skipText, langs },
        { signal: ctx.signal },
      );
      const todo = plan.pages.filter((p) => p.ocr);
      let done = 0;
      const onProgress = () => {
        done++;
        ctx.progress({ percent: 5 + Math.floor((90 * done) / Math.max(1, todo.length)), stage: `recognised page ${done}/${todo.length}` });
      };
      const results: OcrPageResult[] = (
        await ctx.pool.map(chunk(todo, ctx.pool.size), (pages) =>
          ctx.pool.run<OcrPageResult[]>(
            'ocrRecognize',
            { source: plan.source, pages: pages.map((p) => ({ index: p.index, dpi: p.dpi, dpiHint: plan.imageDpiKnown?.[p.index] ?? true })), engine: engine.engine, langs },
            { signal: ctx.signal, onProgress },
          ),
        )
      ).flat();

      ctx.progress({ percent: 96, stage: 'writing output' });
      const out = OUTPUTS[o.outputFormat];
      const assembled = await ctx.pool.run<AssembleResult>(
        'ocrAssemble',
        {
          source: plan.source,
          builtFromImages: o.kind !== 'pdf',
          output: path.join(workDir, out.file),
          format: o.outputFormat,
          selected: plan.selected,
          results,
          meta: { engine: engine.engine, language: o.language },
        },
        { signal: ctx.signal },
      );
      const confs = results.map((r) => r.meanConfidence).filter((c): c is number => c !== null);
      const originalName = safeFilename(file.name, 'document');
      return {
        result: {
          engine: engine.engine,
          ...(engine.engine === 'native' && engine.nativeVersion ? { engine_version: engine.nativeVersion } : {}),
          language: o.language,
          output_format: o.outputFormat,
          input_type: o.kind,
          original_filename: originalName,
          original_size: file.size,
          output_size: assembled.outputSize,
          page_count: plan.pageCount,
          pages_ocr: results.map((r) => r.page),
          pages_with_text: plan.pages.filter((p) => p.hasText).map((p) => p.index + 1),
          ...(plan.capped.length ? { pages_dpi_lowered: plan.capped } : {}),
          dpi: o.dpi,
          mean_confidence: confs.length ? Math.round((confs.reduce((a, b) => a + b, 0) / confs.length) * 100) / 100 : null,
          words: results.reduce((n, r) => n + r.blocks.reduce((m, b) => m + b.lines.reduce((k, l) => k + l.words.length, 0), 0), 0),
        },
        files: [{ name: out.file, downloadName: withSuffix(originalName, '_ocr', out.ext), contentType: out.contentType }],
      };
    },
  };
}
