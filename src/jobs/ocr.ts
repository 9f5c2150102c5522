import path from 'node:path';
import type { Config } from '../config.js';
import type { FileJobInput, FileJobHandler, OutputFile } from './types.js';
import { parsePageSpec } from '../schemas/pages.js';
import { safeFilename, withSuffix } from '../storage/filenames.js';
import { runOcr } from '../ocr/pipeline.js';
import { OPTIMIZE_OPTIONS, optimizeSearchablePdf, type OptimizeReport } from '../ocr/optimize.js';
import type { OcrInputKind, OcrOutputFormat } from '../../workers/ocr/types.js';

/** The options an ocr job row holds (validated and normalised by routes/ocr.ts). */
export interface OcrJobOptions {
  kind: OcrInputKind;
  /** Installed languages joined by +, or "auto". */
  language: string;
  outputFormat: OcrOutputFormat;
  pages?: string;
  dpi: number;
  skipText: boolean;
  /** Absent in rows queued before these options existed: they keep what those jobs did then. */
  mode?: 'skip' | 'redo' | 'force';
  rotatePages?: boolean;
  deskew?: boolean;
  sidecar?: boolean;
  optimize?: boolean;
}

const OUTPUTS: Record<OcrOutputFormat, { file: string; ext: string; contentType: string }> = {
  searchable_pdf: { file: 'ocr.pdf', ext: '.pdf', contentType: 'application/pdf' },
  text: { file: 'ocr.txt', ext: '.txt', contentType: 'text/plain; charset=utf-8' },
  json: { file: 'ocr.json', ext: '.json', contentType: 'application/json' },
  hocr: { file: 'ocr.hocr', ext: '.hocr', contentType: 'text/vnd.hocr+html; charset=utf-8' },
  alto: { file: 'ocr.alto.xml', ext: '.xml', contentType: 'application/alto+xml; charset=utf-8' },
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
      const workDir = await ctx.workDir();
      const originalName = safeFilename(file.name, 'document');
      const pdfOut = o.outputFormat === 'searchable_pdf';
      const sidecar = pdfOut && o.sidecar ? path.join(workDir, 'ocr.txt') : undefined;
      const optimize = pdfOut && o.optimize === true;
      const { engine, plan, results, assembled, language, detected, scanSplits } = await runOcr(ctx, config, {
        input: path.join(ctx.inputDir, file.stored),
        kind: o.kind,
        language: o.language,
        dpi: o.dpi,
        pages: parsePageSpec(o.pages),
        skipText: o.skipText,
        ...(o.mode ? { mode: o.mode } : {}),
        ...(o.rotatePages ? { rotatePages: true } : {}),
        ...(o.deskew ? { deskew: true } : {}),
        output: {
          path: path.join(workDir, optimize ? 'ocr-unoptimized.pdf' : out.file),
          format: o.outputFormat,
          fileName: originalName,
          ...(sidecar ? { sidecar } : {}),
        },
        ...(optimize ? { progressSpan: [0, 85] as [number, number], splitScansFor: OPTIMIZE_OPTIONS } : {}),
      });
      let outputSize = assembled!.outputSize;
      let optimized: OptimizeReport | undefined;
      if (optimize) {
        ctx.progress({ percent: 86, stage: 'optimizing the searchable PDF' });
        const r = await optimizeSearchablePdf(ctx, config, path.join(workDir, 'ocr-unoptimized.pdf'), path.join(workDir, out.file), plan.selected.length, scanSplits);
        outputSize = r.size_after;
        optimized = r;
      }
      const confs = results.map((r) => r.meanConfidence).filter((c): c is number => c !== null);
      const rotated = results.filter((r) => r.fix && r.fix.rotate % 360 !== 0).map((r) => ({ page: r.page, degrees: r.fix!.rotate }));
      // Straightened pages, and pages whose skew was measured but that are more than one scan (left as they are).
      const deskewed = results.filter((r) => r.fix && r.fix.skew !== 0 && !(r.deskew && 'left' in r.deskew)).map((r) => ({ page: r.page, degrees: r.fix!.skew }));
      const skewLeft = results.flatMap((r) => (r.fix && r.deskew && 'left' in r.deskew ? [{ page: r.page, degrees: r.fix.skew, reason: r.deskew.left }] : []));
      const files: OutputFile[] = [{ name: out.file, downloadName: withSuffix(originalName, '_ocr', out.ext), contentType: out.contentType }];
      if (sidecar) files.push({ name: 'ocr.txt', downloadName: withSuffix(originalName, '_ocr', '.txt'), contentType: 'text/plain; charset=utf-8' });
      return {
        result: {
          engine: engine.engine,
          ...(engine.engine === 'native' && engine.nativeVersion ? { engine_version: engine.nativeVersion } : {}),
          language,
          ...(detected
            ? { language_detection: { requested: 'auto', detected: detected.language, script: detected.script, candidates: detected.candidates, first_pass: detected.firstPass, method: detected.method } }
            : {}),
          output_format: o.outputFormat,
          mode: o.mode ?? (o.skipText ? 'skip' : 'all'),
          input_type: o.kind,
          original_filename: originalName,
          original_size: file.size,
          output_size: outputSize,
          page_count: plan.pageCount,
          pages_ocr: results.map((r) => r.page),
          pages_with_text: plan.pages.filter((p) => p.hasText).map((p) => p.index + 1),
          ...(plan.capped.length ? { pages_dpi_lowered: plan.capped } : {}),
          ...(plan.invisibleRemoved ? { pages_text_layer_removed: plan.invisibleRemoved } : {}),
          ...(o.mode === 'force' ? { pages_rasterized: results.filter((r) => r.raster).map((r) => r.page) } : {}),
          ...(o.rotatePages ? { rotate_pages: true, pages_rotated: rotated } : {}),
          ...(o.deskew ? { deskew: true, pages_deskewed: deskewed, ...(skewLeft.length ? { pages_not_deskewed: skewLeft } : {}) } : {}),
          ...(optimized ? { optimize: optimized } : pdfOut ? { optimize: false } : {}),
          ...(sidecar ? { sidecar: true } : {}),
          dpi: o.dpi,
          mean_confidence: confs.length ? Math.round((confs.reduce((a, b) => a + b, 0) / confs.length) * 100) / 100 : null,
          words: results.reduce((n, r) => n + r.blocks.reduce((m, b) => m + b.lines.reduce((k, l) => k + l.words.length, 0), 0), 0),
        },
        files,
        ...(sidecar ? { archive: withSuffix(originalName, '_ocr', '.zip') } : {}),
      };
    },
  };
}
