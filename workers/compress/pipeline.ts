import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TaskContext } from '../task.js';
import { openPdf } from '../pdf.js';
import { settingsFor, stronger, type Settings } from './levels.js';
import type { CompressPayload, CompressResult, EngineName } from './types.js';
import { buildReference, pagesToRender, render } from './validate.js';
import { buildMupdf, check, collectTool, pickSmallestValid, type Candidate } from './candidates.js';
import { ghostscriptAvailable, runGhostscript } from './ghostscript.js';
import { qpdfAvailable, runQpdf } from './qpdf.js';
import { docStats } from './doc-stats.js';
import { planTools } from './plan.js';

/**
 * One compression job. Ghostscript and qpdf (when installed and worth it, see plan.ts) start
 * first, as processes on the other core; meanwhile this thread takes the original's text and
 * a few renderings as the reference and builds the MuPDF candidate. The smallest candidate
 * that passes validation and beats the input is written; when none does, the input's own
 * bytes are, and the engine reads "none".
 */
export async function runCompress(p: CompressPayload, ctx: TaskContext): Promise<CompressResult> {
  ctx.progress(2, 'analysing');
  const { mupdf, doc, pages, size: originalSize } = await openPdf(p.input, { maxPages: p.maxPages });
  const s = settingsFor(p.options);
  const scratch: string[] = [];
  // The output's folder is the job's scratch folder too (src/handlers.ts); used if none is sent.
  const workDir = p.workDir || path.dirname(p.output);
  const stopGs = new AbortController();
  const running: Promise<unknown>[] = [];
  try {
    await mkdir(workDir, { recursive: true });
    const plan = planTools(docStats(doc), originalSize, pages, s, { gs: ghostscriptAvailable(), qpdf: qpdfAvailable() });
    const timeoutMs = Math.min(300_000, 60_000 + pages * 150);
    const started = performance.now();
    const gsRun = plan.ghostscript ? runGhostscript(p.input, workDir, 'candidate-gs', s, timeoutMs, stopGs.signal) : undefined;
    const qpdfRun = plan.qpdf ? runQpdf(p.input, workDir, 'candidate-qpdf', timeoutMs) : undefined;
    if (gsRun) scratch.push('candidate-gs.pdf', 'candidate-gs.log');
    if (qpdfRun) scratch.push('candidate-qpdf.pdf', 'candidate-qpdf.log');
    running.push(...[gsRun, qpdfRun].filter((r) => r !== undefined));

    const reference = buildReference(mupdf, doc, pagesToRender(pages), (i) => {
      if (i % 200 === 199) ctx.progress(2 + (8 * i) / pages, 'analysing');
    });
    const first = buildMupdf(mupdf, p.input, pages, s, ctx, [10, 70]);
    // The most image-covered page joins the rendering check once the image scan has found it.
    for (const i of first.scan ? pagesToRender(pages, first.scan.coverage) : []) if (!reference.renders.has(i)) reference.renders.set(i, render(mupdf, doc, i));
    ctx.progress(72, 'validating');
    // Ghostscript is likely still running on the other core: check our candidate meanwhile.
    if (gsRun && first.bytes && first.bytes.length < originalSize) check(mupdf, first, reference);
    const list: Candidate[] = [first];
    if (gsRun) list.push(await collectTool(mupdf, 'ghostscript', withDeadline(gsRun, stopGs, started), s));
    if (qpdfRun) list.push(await collectTool(mupdf, 'qpdf', qpdfRun, s));
    ctx.progress(80, 'validating');
    let best = pickSmallestValid(mupdf, list, reference, originalSize);

    const target = p.options.targetSizeMB && p.options.targetSizeMB > 0 ? p.options.targetSizeMB * 1e6 : undefined;
    let next: Settings | null = s;
    while (target !== undefined && (best?.bytes?.length ?? originalSize) > target && (next = stronger(next))) {
      ctx.progress(85, 'images (stronger settings for the target size)');
      list.push(buildMupdf(mupdf, p.input, pages, next, ctx, [85, 95], first.scan));
      best = pickSmallestValid(mupdf, list, reference, originalSize);
    }

    ctx.progress(97, 'saving');
    const engine: EngineName = best ? best.report.engine : 'none';
    const tmp = `${p.output}.part`;
    if (best?.bytes) await writeFile(tmp, best.bytes);
    else await copyFile(p.input, tmp);
    await rename(tmp, p.output);
    const size = best?.bytes?.length ?? originalSize;
    const result: CompressResult = {
      original_size: originalSize,
      compressed_size: size,
      compression_ratio: Math.round(((originalSize - size) / originalSize) * 10_000) / 100,
      engine,
      pages,
      candidates: list.map((c) => c.report),
      images: first.images,
    };
    if (target !== undefined) result.target_met = size <= target;
    const note = describeOutcome(list, engine, target !== undefined && size > target);
    if (note) result.note = note;
    return result;
  } finally {
    doc.destroy();
    mupdf.emptyStore();
    // A job that failed half-way must not leave Ghostscript writing into its folder.
    stopGs.abort('job ended');
    await Promise.allSettled(running);
    await Promise.all(scratch.map((f) => rm(path.join(workDir, f), { force: true })));
  }
}

/**
 * Ghostscript gets until max(4 s, 1.5 × our own time so far) and is stopped after that. On
 * photo and scan files it finishes before MuPDF and often wins; on some files it runs 20–60×
 * longer for little (auto-multiple-choice.ja.pdf, XeTeX TrueType fonts: 12 s vs 0.6 s for
 * 1 %; a Chromium-printed KiCad manual: 35 s, and larger than ours). Without the bound those
 * files would set our wall time.
 */
function withDeadline<T>(run: Promise<T>, stop: AbortController, started: number): Promise<T> {
  const waitMs = Math.max(4000, 1.5 * (performance.now() - started)) - (performance.now() - started);
  const timer = setTimeout(() => stop.abort('slower than MuPDF by far; stopped to keep the job quick'), Math.max(0, waitMs));
  return run.finally(() => clearTimeout(timer));
}

function describeOutcome(list: Candidate[], engine: EngineName, missedTarget: boolean): string | undefined {
  const notes: string[] = [];
  if (engine === 'none') notes.push('No candidate was smaller than the input, so the original file is returned unchanged.');
  const rejected = list.filter((e) => e.report.valid === false).map((e) => `${e.report.engine} (${e.report.reason})`);
  if (rejected.length) notes.push(`Rejected: ${rejected.join('; ')}.`);
  if (missedTarget) notes.push('The target size could not be reached without making the document unreadable; this is the smallest result.');
  return notes.length ? notes.join(' ') : undefined;
}
