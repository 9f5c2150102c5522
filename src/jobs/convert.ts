import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { runOcr } from '../ocr/pipeline.js';
import { sanitizeStep } from '../pool/sanitize-step.js';
import type { ActiveContent } from '../../workers/active-content.js';
import type { FileJobContext, FileJobHandler, FileJobInput } from './types.js';
import type { ConvertFormat, ConvertOptions } from '../schemas/convert.js';
import { parsePageSpec, resolvePages, type PageRange } from '../schemas/pages.js';
import { safeFilename, withExtension } from '../storage/filenames.js';
import type { ConvertPayload, ConvertTaskResult } from '../../workers/convert.js';

const CONTENT_TYPES: Record<ConvertFormat, string> = {
  txt: 'text/plain; charset=utf-8',
  html: 'text/html; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  images: 'application/zip',
};

/**
 * Below this many pages a conversion runs as one task: each extract step opens the PDF
 * again and a part costs a file round trip, which a short document does not earn back.
 */
const SPLIT_MIN_PAGES = 24;
/**
 * Pages per extract step at least. Two steps per thread: each step opens the PDF again and
 * writes a part file, so more steps cost more than they balance (page costs vary little
 * within a manual).
 */
const CHUNK_MIN_PAGES = 12;
const STEPS_PER_THREAD = 2;

/**
 * Job type `convert` (POST /api/convert). One `convert` task writes the output into the
 * run's work folder; long html/docx/xlsx conversions are split: extract steps on page
 * chunks run in parallel on the pool's threads, then one write step joins their parts.
 * The result file is offered as `<original base>.<ext>`.
 */
export function convertHandler(config: Config): FileJobHandler {
  return {
    lane: 'cpu',
    async run(ctx) {
      const job = ctx.job.input as FileJobInput & { page_count?: number };
      const file = job.files[0];
      if (!file) throw new Error('convert job without an input file');
      const options = job.options as unknown as ConvertOptions;
      const original = safeFilename(file.name);
      const pages = parsePageSpec(options.pages);
      const workDir = await ctx.workDir();
      let input = path.join(ctx.inputDir, file.stored);
      let sanitized: ActiveContent | undefined;
      if (options.sanitize) ({ input, removed: sanitized } = await sanitizeStep(ctx, config, input));
      let ocr: { engine: string; pages_ocr: number[] } | undefined;
      if (options.ocr) {
        // Pages without a text layer are recognised first; the conversion then reads the
        // searchable PDF, so scanned pages come out as text, not as empty pages.
        const searchable = path.join(workDir, '.ocr-input.pdf');
        const run = await runOcr(ctx, config, {
          input,
          kind: 'pdf',
          language: options.language,
          dpi: 300,
          pages,
          skipText: true,
          // A page scanned sideways or upside down is turned upright (and read again) as the
          // OCR job does by default; upright pages cost nothing more.
          rotatePages: true,
          output: { path: searchable, format: 'searchable_pdf' },
          progressSpan: [0, 50],
        });
        if (run.results.length) {
          input = searchable;
          ocr = { engine: run.engine.engine, pages_ocr: run.results.map((r) => r.page) };
        }
      }
      const payload: ConvertPayload = {
        input,
        outputDir: workDir,
        format: options.format,
        maxPages: config.maxPages,
        ...(pages ? { pages } : {}),
        dpi: options.dpi,
        imageFormat: options.imageFormat,
        ocr: options.ocr,
        title: path.basename(original, path.extname(original)),
      };
      const chunks = splitPages(ctx, options.format, pages, job.page_count);
      const { output, ...result } = chunks ? await runSplit(ctx, payload, chunks, job.page_count!) : await ctx.pool.run('convert', payload, { signal: ctx.signal, onProgress: ctx.progress });
      for (const scratch of ['.ocr-input.pdf', '.sanitized-input.pdf']) await rm(path.join(workDir, scratch), { force: true });
      return {
        result: { ...result, original_filename: original, ...(options.pages ? { pages: options.pages } : {}), ...(ocr ? { ocr } : {}), ...(sanitized ? { sanitized } : {}) },
        files: [{ name: output, downloadName: withExtension(original, path.extname(output)), contentType: CONTENT_TYPES[options.format] }],
      };
    },
  };
}

/** Contiguous page chunks for the extract steps, or undefined when the job runs as one task. */
function splitPages(ctx: FileJobContext, format: ConvertFormat, pages: PageRange[] | undefined, pageCount: number | undefined): number[][] | undefined {
  if (!(format === 'docx' || format === 'html' || format === 'xlsx') || ctx.pool.size < 2 || !pageCount) return undefined;
  let indexes: number[];
  try {
    indexes = resolvePages(pages, pageCount);
  } catch {
    return undefined; // the single task reports the bad selection with its code
  }
  if (indexes.length < SPLIT_MIN_PAGES) return undefined;
  const count = Math.min(ctx.pool.size * STEPS_PER_THREAD, Math.ceil(indexes.length / CHUNK_MIN_PAGES));
  const size = Math.ceil(indexes.length / count);
  const chunks: number[][] = [];
  for (let i = 0; i < indexes.length; i += size) chunks.push(indexes.slice(i, i + size));
  return chunks;
}

/** 0-based page indexes → 1-based ranges, consecutive pages joined. */
function toRanges(indexes: number[]): PageRange[] {
  const ranges: PageRange[] = [];
  for (const i of indexes) {
    const last = ranges[ranges.length - 1];
    if (last && last.to === i) last.to = i + 1;
    else ranges.push({ from: i + 1, to: i + 1 });
  }
  return ranges;
}

async function runSplit(ctx: FileJobContext, payload: ConvertPayload, chunks: number[][], pageCount: number): Promise<ConvertTaskResult> {
  const partsDir = path.join(payload.outputDir, '.parts');
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const done = chunks.map(() => 0);
  const parts = chunks.map((_, i) => path.join(partsDir, `part-${i}.json`));
  await ctx.pool.map(chunks, (chunk, i) =>
    ctx.pool.run('convertExtract', { ...payload, pages: toRanges(chunk), part: parts[i]! }, {
      signal: ctx.signal,
      onProgress: (p) => {
        done[i] = Math.round((p.percent / 100) * chunk.length);
        const n = done.reduce((a, b) => a + b, 0);
        ctx.progress({ percent: Math.round((n / total) * 90), stage: `page ${n}/${total}` });
      },
    }),
  );
  return ctx.pool.run('convertWrite', { ...payload, parts, pageCount }, {
    signal: ctx.signal,
    onProgress: (p) => ctx.progress({ percent: 90 + Math.round(p.percent / 10), stage: p.stage }),
  });
}
