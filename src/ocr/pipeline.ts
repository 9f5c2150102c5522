import type { Config } from '../config.js';
import type { FileJobContext } from '../jobs/types.js';
import { TaskFailure } from '../errors.js';
import type { PageRange } from '../schemas/pages.js';
import { AppError } from '../errors.js';
import { resolveEngine } from './engine.js';
import { languageCodes } from './languages.js';
import { splitScansAhead } from '../pool/scan-splits.js';
import type { CompressOptions, ScanSplitResult } from '../../workers/compress.js';
import type { AssembleResult } from '../../workers/ocr/assemble.js';
import type { LanguageResult } from '../../workers/ocr/language.js';
import type { OcrInputKind, OcrMode, OcrOutputFormat, OcrPageResult, OcrPlan, PlannedPage } from '../../workers/ocr/types.js';

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
 * Shares of the scans' split per pool thread when it runs beside the reading: small shares
 * pack the threads' ends (a page read takes ~2–4 s, one scan's split ~1.5 s), and each share
 * only opens the file and finds where its images are drawn.
 */
const AHEAD_SHARES_PER_THREAD = 3;

export interface OcrRun {
  input: string;
  kind: OcrInputKind;
  /** Languages joined by +, e.g. eng+fra, or "auto" (detected from a sample page). */
  language: string;
  dpi: number;
  pages: PageRange[] | undefined;
  skipText: boolean;
  /** skip | redo | force; absent: skipText decides (true = skip, false = OCR on top of any text). */
  mode?: OcrMode;
  /** Turn pages upright by orientation detection; straighten skewed pages. */
  rotatePages?: boolean;
  deskew?: boolean;
  /** Where to write the output, in which format; undefined: recognise only. `sidecar`: the PDF's text too. */
  output?: { path: string; format: OcrOutputFormat; sidecar?: string; fileName?: string };
  /** Share of the job's progress bar this run may use: [from, to] percent. */
  progressSpan?: [number, number];
  /**
   * The output will be compressed with these options (optimize): the source's scans are split
   * while the pages are read (compressScans tasks beside the recognise tasks, on any thread
   * that is free), and the outcome carries the splits for the compress task.
   */
  splitScansFor?: CompressOptions;
}

export interface OcrOutcome {
  engine: Awaited<ReturnType<typeof resolveEngine>>;
  plan: OcrPlan & { imageDpiKnown?: boolean[] };
  results: OcrPageResult[];
  assembled: AssembleResult | undefined;
  /** The languages the pages were read in, joined by + (the detected one for "auto"). */
  language: string;
  /** language "auto": what was detected and how. */
  detected?: Omit<LanguageResult, 'sample'>;
  /** With splitScansFor: the source's scan splits (matched to the output's scans by content). */
  scanSplits?: ScanSplitResult[];
}

/**
 * OCR as one step of any job: plan (one task) → recognise pages spread over the pool threads
 * (ctx.pool.map keeps at most one task per thread in flight) → assemble the output (one
 * task). Used by OCR jobs, and by conversion and AI jobs for pages without a text layer.
 */
export async function runOcr(ctx: FileJobContext, config: Config, run: OcrRun): Promise<OcrOutcome> {
  const [from, to] = run.progressSpan ?? [0, 100];
  const at = (share: number) => Math.round(from + (to - from) * share);
  let engine;
  try {
    engine = await resolveEngine(config.ocrEngine);
  } catch (err) {
    if (err instanceof AppError) throw new TaskFailure(err.code, err.message, false);
    throw err;
  }
  const auto = run.language === 'auto';
  let langs = auto ? [] : run.language.split('+');
  const workDir = await ctx.workDir();
  ctx.progress({ percent: at(0.01), stage: 'preparing pages for OCR' });
  const mode: OcrMode = run.mode ?? (run.skipText ? 'skip' : 'all');
  const plan = await ctx.pool.run(
    'ocrPlan',
    // Image uploads are decoded with the first installed language's engine when "auto" (WebP only).
    { input: run.input, kind: run.kind, workDir, maxPages: config.maxPages, dpi: run.dpi, pages: run.pages, skipText: run.skipText, mode, langs: auto ? [installedDefault()] : langs },
    { signal: ctx.signal },
  );
  const todo = plan.pages.filter((p) => p.ocr);
  const pageJob = (p: PlannedPage) => ({ index: p.index, dpi: p.dpi, dpiHint: plan.imageDpiKnown?.[p.index] ?? true });
  const options = {
    source: plan.source,
    engine: engine.engine,
    ...(run.rotatePages ? { rotatePages: true } : {}),
    ...(run.deskew ? { deskew: true, deskewDir: workDir } : {}),
    ...(mode === 'redo' ? { maskText: true } : {}),
    ...(mode === 'force' ? { rasterDir: workDir } : {}),
  };
  let detected: OcrOutcome['detected'];
  let sample: OcrPageResult | undefined;
  if (auto) {
    if (todo.length) {
      ctx.progress({ percent: at(0.02), stage: 'detecting the language' });
      const found = await ctx.pool.run('ocrLanguage', { ...options, page: pageJob(todo[0]!) }, { signal: ctx.signal });
      const { sample: s, ...rest } = found;
      detected = rest;
      sample = s;
      langs = [found.language];
    } else {
      langs = [installedDefault()];
    }
  }
  let done = sample ? 1 : 0;
  const onProgress = () => {
    done++;
    ctx.progress({ percent: at(0.05 + (0.9 * done) / Math.max(1, todo.length)), stage: `recognised page ${done}/${todo.length}` });
  };
  const rest = sample ? todo.filter((p) => p.index !== sample.page - 1) : todo;
  const reading = ctx.pool.map(chunk(rest, ctx.pool.size), (pages) =>
    ctx.pool.run('ocrRecognize', { ...options, pages: pages.map(pageJob), langs }, { signal: ctx.signal, onProgress }),
  );
  // The first pages are queued: the scans' split for optimize follows, in small shares that
  // fill the threads between and after the pages (see splitScansFor). Split ahead only where
  // the output keeps the source's scans as they are, drawn at the same size: a PDF upload,
  // every page, neither rasterised nor straightened. Stopped with the job, or when the run
  // fails (its tasks then leave the threads).
  const stopAhead = new AbortController();
  const stop = () => stopAhead.abort();
  ctx.signal.addEventListener('abort', stop, { once: true });
  const ahead =
    run.splitScansFor && ctx.pool.size > 1 && run.kind === 'pdf' && !run.pages && !run.deskew && mode !== 'force' && todo.length > 0
      ? splitScansAhead({ pool: ctx.pool, signal: stopAhead.signal }, plan.source, config.maxPages, run.splitScansFor, Math.min(todo.length, ctx.pool.size * AHEAD_SHARES_PER_THREAD), true)
      : undefined;
  ahead?.catch(() => {}); // awaited below, where a failure fails the run
  try {
    const results: OcrPageResult[] = [...(sample ? [sample] : []), ...(await reading).flat()].sort((a, b) => a.page - b.page);
    let assembled: AssembleResult | undefined;
    if (run.output) {
      ctx.progress({ percent: at(0.96), stage: 'writing the OCR output' });
      assembled = await ctx.pool.run(
        'ocrAssemble',
        {
          source: plan.source,
          builtFromImages: run.kind !== 'pdf',
          output: run.output.path,
          format: run.output.format,
          selected: plan.selected,
          results,
          meta: { engine: engine.engine, language: langs.join('+'), ...(run.output.fileName ? { fileName: run.output.fileName } : {}) },
          ...(run.output.sidecar ? { sidecar: run.output.sidecar } : {}),
        },
        { signal: ctx.signal },
      );
    }
    const scanSplits = ahead ? await ahead : undefined;
    return { engine, plan, results, assembled, language: langs.join('+'), ...(detected ? { detected } : {}), ...(scanSplits ? { scanSplits } : {}) };
  } catch (err) {
    stop();
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', stop);
  }
}

/** The language of "auto" when no page needs reading: eng when installed, else the first installed. */
function installedDefault(): string {
  const codes = languageCodes();
  return codes.includes('eng') ? 'eng' : (codes[0] ?? 'eng');
}
