import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TaskContext } from '../task.js';
import { openPdf } from '../pdf.js';
import { settingsFor, stronger, type Settings } from './levels.js';
import type { CompressPayload, CompressResult, CompressScansPayload, EngineName, ScanSplitResult } from './types.js';
import { buildReference } from './validate.js';
import { buildMupdf, pickSmallestValid, ms, type Candidate, type MupdfCandidate } from './candidates.js';
import { shareOfScanSplits } from './mupdf-engine.js';
import { ghostscriptAvailable, runGhostscript } from './ghostscript.js';
import { qpdfAvailable, runQpdf } from './qpdf.js';
import { docStats } from './doc-stats.js';
import { undecodableBytes, zlibLevelFor } from './lossless.js';
import { planTools } from './plan.js';

/**
 * One compression job, in its own pool slot from start to end. The candidates to run are
 * decided from the document first (plan.ts); they then run one after another on this thread,
 * external tools included (the thread waits for them and does nothing else meanwhile), so a
 * job never keeps more than one core busy and nothing measured in wall-clock time decides
 * the outcome: the same file and options give the same bytes on an idle or a saturated server.
 * The smallest candidate that passes validation and beats the input is written; when none
 * does, the input's own bytes are, and the engine reads "none".
 */
export async function runCompress(p: CompressPayload, ctx: TaskContext): Promise<CompressResult> {
  ctx.progress(2, 'analysing');
  const { mupdf, doc, pages, size: originalSize } = await openPdf(p.input, { maxPages: p.maxPages });
  const s = settingsFor(p.options);
  const scratch: string[] = [];
  // The output's folder is the job's scratch folder too (src/handlers.ts); used if none is sent.
  const workDir = p.workDir || path.dirname(p.output);
  try {
    await mkdir(workDir, { recursive: true });
    const plan = planTools(docStats(doc), originalSize, zlibLevelFor(doc), s, { gs: ghostscriptAvailable(), qpdf: qpdfAvailable() });
    const reference = buildReference(mupdf, doc, (i) => {
      if (i % 200 === 199) ctx.progress(2 + (8 * i) / pages, 'analysing');
    }, plan.ghostscript);
    const ahead = { ...(p.scanSplits ? { scanSplits: p.scanSplits } : {}), ...(p.scanSplitsByContent ? { scanSplitsByContent: p.scanSplitsByContent } : {}) };
    const first = await buildMupdf(mupdf, { source: p.input, ...ahead }, 'mupdf', pages, s, ctx, [10, 70]);
    const list: Candidate[] = [first];
    // At lossy levels qpdf can only win if our candidate is larger than what qpdf must keep
    // as it is (streams it cannot decode); otherwise it is not run: same result, less work.
    if (plan.qpdf && (!s.lossy || (first.bytes?.length ?? Infinity) > undecodableBytes(doc))) {
      ctx.progress(72, 'qpdf');
      scratch.push('candidate-qpdf.pdf', 'candidate-qpdf.log');
      const r = await runQpdf(p.input, workDir, 'candidate-qpdf', Math.max(120_000, pages * 500));
      list.push(await toolCandidate('qpdf', r, s.lossy));
    }
    if (plan.ghostscript) {
      ctx.progress(75, 'ghostscript');
      scratch.push('candidate-gs.pdf', 'candidate-gs.log');
      const r = await runGhostscript(p.input, workDir, 'candidate-gs', s.grayscale, pages);
      if (r.ok) list.push(await buildMupdf(mupdf, { source: await readFile(r.file), identityFrom: doc }, 'ghostscript', pages, s, ctx, [80, 90], true));
      else list.push({ report: { engine: 'ghostscript', settings: 'font pre-pass', size: null, ms: r.ms, valid: false, reason: `failed: ${r.error ?? 'unknown error'}` }, lossy: true, pages: [] });
    }
    ctx.progress(92, 'validating');
    let best = await pickSmallestValid(mupdf, list, reference, originalSize);

    const target = p.options.targetSizeMB && p.options.targetSizeMB > 0 ? p.options.targetSizeMB * 1e6 : undefined;
    let next: Settings | null = s;
    while (target !== undefined && (best?.bytes?.length ?? originalSize) > target && (next = stronger(next))) {
      ctx.progress(93, 'images (stronger settings for the target size)');
      list.push(await buildMupdf(mupdf, { source: p.input, ...(first.out?.scan ? { scan: first.out.scan } : {}) }, 'mupdf', pages, next, ctx, [93, 96]));
      best = await pickSmallestValid(mupdf, list, reference, originalSize);
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
      images: { found: first.images.found, recompressed: first.images.recompressed },
      ...scanCounts(best),
    };
    if (target !== undefined) result.target_met = size <= target;
    const note = describeOutcome(list, engine, target !== undefined && size > target, first.images.rejected);
    if (note) result.note = note;
    return result;
  } finally {
    doc.destroy();
    mupdf.emptyStore();
    await Promise.all(scratch.map((f) => rm(path.join(workDir, f), { force: true })));
  }
}

/**
 * One share of the page scans the compress task would split (mupdf-engine.ts:
 * shareOfScanSplits), for a caller that spreads the split over the pool threads and hands
 * the shares to the compress task (`scanSplits`). Same input and options as that task.
 */
export async function runCompressScans(p: CompressScansPayload): Promise<ScanSplitResult[]> {
  const { mupdf, doc, pages } = await openPdf(p.input, { maxPages: p.maxPages });
  try {
    return await shareOfScanSplits(mupdf, doc, pages, settingsFor(p.options), { shard: p.shard, count: p.count }, !!p.byContent);
  } finally {
    doc.destroy();
    mupdf.emptyStore();
  }
}

/** The winner's scan pages; only our engine splits scans (a Ghostscript pre-pass included). */
function scanCounts(best: Candidate | undefined): Pick<CompressResult, 'pages_bilevel' | 'pages_mrc'> {
  const scans = best && 'out' in best ? (best as MupdfCandidate).out?.scans : undefined;
  return { pages_bilevel: scans?.bilevel.length ?? 0, pages_mrc: scans?.mrc.length ?? 0 };
}

async function toolCandidate(engine: 'qpdf', r: { ok: boolean; ms: number; error?: string; file: string }, lossy: boolean): Promise<Candidate> {
  const report = { engine, settings: 'lossless', size: null as number | null, ms: r.ms, valid: null as boolean | null };
  if (!r.ok) return { report: { ...report, valid: false, reason: `failed: ${r.error ?? 'unknown error'}` }, lossy, pages: [] };
  const t0 = performance.now();
  const bytes = await readFile(r.file);
  return { report: { ...report, size: bytes.length, ms: r.ms + ms(t0) }, bytes, lossy, pages: [] };
}

function describeOutcome(list: Candidate[], engine: EngineName, missedTarget: boolean, rejectedImages: number): string | undefined {
  const notes: string[] = [];
  if (engine === 'none') notes.push('No candidate was smaller than the input, so the original file is returned unchanged.');
  if (rejectedImages > 0) notes.push(`${rejectedImages} image(s) kept their original encoding (or, for page scans, were not split into text and background): their re-encoded versions did not match the original closely enough.`);
  const rejected = list.filter((e) => e.report.valid === false).map((e) => `${e.report.engine} (${e.report.reason})`);
  if (rejected.length) notes.push(`Rejected: ${rejected.join('; ')}.`);
  if (missedTarget) notes.push('The target size could not be reached without making the document unreadable; this is the smallest result.');
  return notes.length ? notes.join(' ') : undefined;
}
