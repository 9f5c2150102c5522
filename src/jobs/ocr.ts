import path from 'node:path';
import type { Config } from '../config.js';
import type { FileJobInput, FileJobHandler } from './types.js';
import { parsePageSpec } from '../schemas/pages.js';
import { safeFilename, withSuffix } from '../storage/filenames.js';
import { runOcr } from '../ocr/pipeline.js';
import type { OcrInputKind, OcrOutputFormat } from '../../workers/ocr/types.js';

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

/** An OCR job (POST /api/ocr): the pipeline of pipeline.ts, its output offered as <name>_ocr.<ext>. */
export function ocrHandler(config: Config): FileJobHandler {
  return {
    lane: 'cpu',
    async run(ctx) {
      const input = ctx.job.input as FileJobInput;
      const file = input.files[0];
      if (!file) throw new Error('ocr job without an input file');
      const o = input.options as unknown as OcrJobOptions;
      const out = OUTPUTS[o.outputFormat];
      const { engine, plan, results, assembled } = await runOcr(ctx, config, {
        input: path.join(ctx.inputDir, file.stored),
        kind: o.kind,
        language: o.language,
        dpi: o.dpi,
        pages: parsePageSpec(o.pages),
        skipText: o.skipText,
        output: { path: path.join(await ctx.workDir(), out.file), format: o.outputFormat },
      });
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
          output_size: assembled!.outputSize,
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
