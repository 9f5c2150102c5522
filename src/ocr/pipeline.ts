import type { Config } from '../config.js';
import type { FileJobContext } from '../jobs/types.js';
import { TaskFailure } from '../errors.js';
import type { PageRange } from '../schemas/pages.js';
import { AppError } from '../errors.js';
import { resolveEngine } from './engine.js';
import type { AssembleResult } from '../../workers/ocr/assemble.js';
import type { OcrInputKind, OcrOutputFormat, OcrPageResult, OcrPlan, PlannedPage } from '../../workers/ocr/types.js';

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

export interface OcrRun {
  input: string;
  kind: OcrInputKind;
  /** Languages joined by +, e.g. eng+fra. */
  language: string;
  dpi: number;
  pages: PageRange[] | undefined;
  skipText: boolean;
  /** Where to write the output, in which format; undefined: recognise only. */
  output?: { path: string; format: OcrOutputFormat };
  /** Share of the job's progress bar this run may use: [from, to] percent. */
  progressSpan?: [number, number];
}

export interface OcrOutcome {
  engine: Awaited<ReturnType<typeof resolveEngine>>;
  plan: OcrPlan & { imageDpiKnown?: boolean[] };
  results: OcrPageResult[];
  assembled: AssembleResult | undefined;
}

/**
 * OCR as one step of any job: plan (one task) → recognise pages spread over the pool threads
 * (ctx.pool.map keeps at most one task per thread in flight) → assemble the output (one
 * task). Used by OCR jobs, and by conversion and AI jobs for pages without a text layer.
 */
export async function runOcr(ctx: FileJobContext, config: Config, run: OcrRun): Promise<OcrOutcome> {
  const [from, to] = run.progressSpan ?? [0, 100];
  const at = (share: number) => Math.round(from + (to - from) * share);
  const langs = run.language.split('+');
  let engine;
  try {
    engine = await resolveEngine(config.ocrEngine);
  } catch (err) {
    if (err instanceof AppError) throw new TaskFailure(err.code, err.message, false);
    throw err;
  }
  const workDir = await ctx.workDir();
  ctx.progress({ percent: at(0.01), stage: 'preparing pages for OCR' });
  const plan = await ctx.pool.run(
    'ocrPlan',
    { input: run.input, kind: run.kind, workDir, maxPages: config.maxPages, dpi: run.dpi, pages: run.pages, skipText: run.skipText, langs },
    { signal: ctx.signal },
  );
  const todo = plan.pages.filter((p) => p.ocr);
  let done = 0;
  const onProgress = () => {
    done++;
    ctx.progress({ percent: at(0.05 + (0.9 * done) / Math.max(1, todo.length)), stage: `recognised page ${done}/${todo.length}` });
  };
  const results: OcrPageResult[] = (
    await ctx.pool.map(chunk(todo, ctx.pool.size), (pages) =>
      ctx.pool.run(
        'ocrRecognize',
        { source: plan.source, pages: pages.map((p) => ({ index: p.index, dpi: p.dpi, dpiHint: plan.imageDpiKnown?.[p.index] ?? true })), engine: engine.engine, langs },
        { signal: ctx.signal, onProgress },
      ),
    )
  ).flat();
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
        meta: { engine: engine.engine, language: run.language },
      },
      { signal: ctx.signal },
    );
  }
  return { engine, plan, results, assembled };
}
