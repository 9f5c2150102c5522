import { engineMessage } from '../pdf.js';
import type { TaskContext } from '../task.js';
import { describeSettings, type Settings } from './levels.js';
import type { CandidateReport } from './types.js';
import { mupdfCandidate, type MupdfInput, type MupdfOutput } from './mupdf-engine.js';
import { samplePages, validate, type Reference } from './validate.js';
import type { MupdfModule } from './mupdf-util.js';

/** One engine's output, validated lazily: only candidates that could win are checked. */
export interface Candidate {
  report: CandidateReport;
  /** Absent when the engine failed. */
  bytes?: Uint8Array;
  lossy: boolean;
  /** Pages whose rendering is compared (with the sample pages every candidate gets). */
  pages: Iterable<number>;
}

export interface MupdfCandidate extends Candidate {
  images: MupdfOutput['images'];
  out?: MupdfOutput;
}

/**
 * Runs our engine on an input (the original, or Ghostscript's rewrite of it) and validates
 * the result on every page whose images changed. A page that still fails (the per-image
 * check passed, the page as a whole did not) is an exception, not a normal outcome: its
 * images are put back as they were and the candidate is rebuilt, up to three times, so one
 * bad page costs its own images' savings and not the whole document's.
 */
export async function buildMupdf(mupdf: MupdfModule, input: MupdfInput, engine: 'mupdf' | 'ghostscript', pages: number, s: Settings, ctx: TaskContext, span: [number, number], ref: Reference, allPages = false): Promise<MupdfCandidate> {
  const t0 = performance.now();
  const report: CandidateReport = { engine, settings: describeSettings(s), size: null, ms: 0, valid: null };
  const keep = new Set(input.keep ?? []);
  try {
    for (let attempt = 0; ; attempt++) {
      const out = await mupdfCandidate(mupdf, { ...input, keep }, pages, s, ctx, span);
      const checked = allPages ? Array.from({ length: pages }, (_, i) => i) : [...out.changedPages, ...samplePages(pages)];
      const c: MupdfCandidate = { report: { ...report, size: out.bytes.length }, bytes: out.bytes, lossy: s.lossy, pages: checked, images: out.images, out };
      const verdict = validate(mupdf, ref, out.bytes, s.lossy, checked);
      c.report.ms = ms(t0);
      c.report.valid = verdict.ok;
      if (verdict.ok) return c;
      c.report.reason = verdict.reason;
      const onPage = verdict.page === undefined ? [] : [...(out.scan?.pages ?? [])].filter(([num, on]) => on.has(verdict.page!) && !keep.has(num)).map(([num]) => num);
      if (onPage.length === 0 || attempt === 2) return c;
      for (const num of onPage) keep.add(num);
      report.reason = `page ${verdict.page! + 1} kept its images (${verdict.reason})`;
    }
  } catch (err) {
    Object.assign(report, { ms: ms(t0), valid: false, reason: `failed: ${engineMessage(err)}` });
    return { report, lossy: s.lossy, pages: [], images: { found: 0, recompressed: 0, rejected: 0 } };
  }
}

/** Validates once; the verdict and its time land in the report. */
export function check(mupdf: MupdfModule, c: Candidate, ref: Reference): boolean {
  if (c.report.valid !== null) return c.report.valid;
  if (!c.bytes) return false;
  const t0 = performance.now();
  const verdict = validate(mupdf, ref, c.bytes, c.lossy, [...c.pages, ...samplePages(ref.pages)]);
  c.report.ms += ms(t0);
  c.report.valid = verdict.ok;
  if (!verdict.ok) c.report.reason = verdict.reason;
  return verdict.ok;
}

/**
 * The smallest candidate that passes validation and beats the input. Candidates are checked
 * smallest first and the search stops at the first valid one: a 1,000-page manual costs one
 * text comparison (~2–4 ms a page) instead of one per engine.
 */
export function pickSmallestValid(mupdf: MupdfModule, list: Candidate[], ref: Reference, original: number): Candidate | undefined {
  const order = list.filter((c) => c.bytes && c.bytes.length < original && c.report.valid !== false).sort((a, b) => a.bytes!.length - b.bytes!.length);
  return order.find((c) => check(mupdf, c, ref));
}

export function ms(t0: number): number {
  return Math.round(performance.now() - t0);
}
