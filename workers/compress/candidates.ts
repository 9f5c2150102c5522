import { engineMessage } from '../pdf.js';
import type { TaskContext } from '../task.js';
import { describeSettings, type Settings } from './levels.js';
import type { CandidateReport } from './types.js';
import { mupdfCandidate, type MupdfInput, type MupdfOutput } from './mupdf-engine.js';
import { samplePages, validate, type Reference, type Verdict } from './validate.js';
import type { MupdfModule } from './mupdf-util.js';

/** One engine's output, validated lazily: only candidates that could win are checked. */
export interface Candidate {
  report: CandidateReport;
  /** Absent when the engine failed. */
  bytes?: Uint8Array;
  lossy: boolean;
  /** Pages whose rendering is compared (with the sample pages every candidate gets). */
  pages: Iterable<number>;
  /** Set when the candidate can be rebuilt without the images drawn on a failing page. */
  retry?: (page: number) => Promise<boolean>;
}

export interface MupdfCandidate extends Candidate {
  images: MupdfOutput['images'];
  out?: MupdfOutput;
}

/**
 * Runs our engine on an input (the original, or Ghostscript's rewrite of it); `allPages`:
 * every page is rendered in the check (another tool changed them all), else those whose
 * images changed. Not validated here: pickSmallestValid checks only what could win.
 */
export async function buildMupdf(mupdf: MupdfModule, input: MupdfInput, engine: 'mupdf' | 'ghostscript', pages: number, s: Settings, ctx: TaskContext, span: [number, number], allPages = false): Promise<MupdfCandidate> {
  const t0 = performance.now();
  const report: CandidateReport = { engine, settings: engine === 'ghostscript' ? `font pre-pass, ${describeSettings(s)}` : describeSettings(s), size: null, ms: 0, valid: null };
  const keep = new Set(input.keep ?? []);
  const c: MupdfCandidate = { report, lossy: s.lossy, pages: [], images: { found: 0, recompressed: 0, rejected: 0 } };
  const build = async () => {
    const out = await mupdfCandidate(mupdf, { ...input, keep }, pages, s, ctx, span);
    Object.assign(c, { bytes: out.bytes, out, images: out.images, pages: allPages ? Array.from({ length: pages }, (_, i) => i) : out.changedPages });
    report.size = out.bytes.length;
  };
  try {
    await build();
  } catch (err) {
    Object.assign(report, { valid: false, reason: `failed: ${engineMessage(err)}` });
  }
  report.ms = ms(t0);
  let retries = 0;
  // A page that fails although each of its images passed its own check is an exception, not a
  // normal outcome: its images are put back as they were and the candidate rebuilt (three
  // times at most), so one bad page costs its own images' savings, not the whole document's.
  c.retry = async (page) => {
    const onPage = [...(c.out?.scan?.pages ?? [])].filter(([num, on]) => on.has(page) && !keep.has(num)).map(([num]) => num);
    if (onPage.length === 0 || retries++ >= 3) return false;
    for (const num of onPage) keep.add(num);
    const t1 = performance.now();
    await build();
    Object.assign(report, { valid: null, ms: report.ms + ms(t1), reason: `page ${page + 1} kept its original images` });
    return true;
  };
  return c;
}

/** Validates once; the verdict and its time land in the report. */
export function check(mupdf: MupdfModule, c: Candidate, ref: Reference): Verdict {
  if (c.report.valid !== null) return c.report.valid ? { ok: true } : { ok: false, reason: c.report.reason ?? 'invalid' };
  if (!c.bytes) return { ok: false, reason: 'no output' };
  const t0 = performance.now();
  const verdict = validate(mupdf, ref, c.bytes, c.lossy, [...c.pages, ...samplePages(ref.pages)]);
  c.report.ms += ms(t0);
  c.report.valid = verdict.ok;
  if (!verdict.ok) c.report.reason = c.report.reason ? `${c.report.reason}; ${verdict.reason}` : verdict.reason;
  return verdict;
}

/**
 * The smallest candidate that passes validation and beats the input. Candidates are checked
 * smallest first and the search stops at the first valid one: a 1,000-page manual costs one
 * text comparison (~2–4 ms a page) instead of one per engine.
 */
export async function pickSmallestValid(mupdf: MupdfModule, list: Candidate[], ref: Reference, original: number): Promise<Candidate | undefined> {
  for (;;) {
    const order = list.filter((c) => c.bytes && c.bytes.length < original && c.report.valid !== false).sort((a, b) => a.bytes!.length - b.bytes!.length);
    let retried = false;
    for (const c of order) {
      const verdict = check(mupdf, c, ref);
      if (verdict.ok) return c;
      if (verdict.page !== undefined && c.retry && (await c.retry(verdict.page))) {
        retried = true;
        break; // sizes changed: order again
      }
    }
    if (!retried) return undefined;
  }
}

export function ms(t0: number): number {
  return Math.round(performance.now() - t0);
}
