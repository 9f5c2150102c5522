import { readFile } from 'node:fs/promises';
import type { TaskContext } from '../task.js';
import { engineMessage } from '../pdf.js';
import { describeSettings, type Settings } from './levels.js';
import type { CandidateReport } from './types.js';
import type { UsageScan } from './image-usage.js';
import { mupdfCandidate, mupdfFinish } from './mupdf-engine.js';
import { validate, type Reference } from './validate.js';
import type { ToolRun } from './external.js';
import type { MupdfModule } from './mupdf-util.js';

/** One engine's output, validated lazily: only candidates that could win are checked. */
export interface Candidate {
  report: CandidateReport;
  /** Absent when the engine failed. */
  bytes?: Uint8Array;
  lossy: boolean;
}

export interface MupdfCandidate extends Candidate {
  images: { found: number; recompressed: number };
  scan?: UsageScan;
}

export function buildMupdf(mupdf: MupdfModule, input: string, pages: number, s: Settings, ctx: TaskContext, span: [number, number], scan?: UsageScan): MupdfCandidate {
  const t0 = performance.now();
  const report: CandidateReport = { engine: 'mupdf', settings: describeSettings(s), size: null, ms: 0, valid: null };
  try {
    const out = mupdfCandidate(mupdf, input, pages, s, ctx, span, scan);
    report.size = out.bytes.length;
    report.ms = ms(t0);
    return { report, bytes: out.bytes, lossy: s.lossy, images: out.images, ...(out.scan ? { scan: out.scan } : {}) };
  } catch (err) {
    Object.assign(report, { ms: ms(t0), valid: false, reason: `failed: ${engineMessage(err)}` });
    return { report, lossy: s.lossy, images: { found: 0, recompressed: 0 } };
  }
}

/**
 * Collects an external tool's output. Ghostscript's is first passed through MuPDF's lossless
 * finish (object streams, level-9 streams, compact xref), which Ghostscript 10.0 lacks.
 */
export async function collectTool(mupdf: MupdfModule, engine: 'ghostscript' | 'qpdf', run: Promise<ToolRun & { file: string }>, s: Settings): Promise<Candidate> {
  const r = await run;
  const report: CandidateReport = { engine, settings: engine === 'qpdf' ? 'lossless' : describeSettings(s), size: null, ms: r.ms, valid: null };
  const lossy = engine === 'ghostscript' || s.lossy;
  if (!r.ok) return { report: { ...report, valid: false, reason: `failed: ${r.error ?? 'unknown error'}` }, lossy };
  const t0 = performance.now();
  try {
    let bytes: Uint8Array = await readFile(r.file);
    if (engine === 'ghostscript') {
      const finished = mupdfFinish(mupdf, bytes, s.removeMetadata);
      if (finished.length < bytes.length) bytes = finished;
    }
    return { report: { ...report, size: bytes.length, ms: r.ms + ms(t0) }, bytes, lossy };
  } catch (err) {
    return { report: { ...report, ms: r.ms + ms(t0), valid: false, reason: `unreadable output: ${engineMessage(err)}` }, lossy };
  }
}

/** Validates once; the verdict and its time land in the report. */
export function check(mupdf: MupdfModule, c: Candidate, ref: Reference): boolean {
  if (c.report.valid !== null) return c.report.valid;
  if (!c.bytes) return false;
  const t0 = performance.now();
  const verdict = validate(mupdf, ref, c.bytes, c.lossy);
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

function ms(t0: number): number {
  return Math.round(performance.now() - t0);
}
