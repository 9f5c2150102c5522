import type { ToolPlan } from './plan.js';
import type { GsPreview } from './preview-gs.js';

/** What the preview measured on the real file, in ms and bytes. */
export interface Measured {
  pages: number;
  /** The job's own lossless candidate, built for real: its size and time. */
  lowSize: number;
  lowMs: number;
  /** Reading one page's text (mean over the sampled pages). */
  textMsPerPage: number;
  /** Rendering one page for the check, text included (mean over the sampled pages). */
  renderMsPerPage: number;
  /** Rendering first, middle and last page, which every check compares. */
  sampleRenderMs: number;
  /** Pages drawing an image (each is rendered in a lossy job's check). */
  imagePages: number;
  /** Opening and checking the file (openPdf: structure, page count, decompression bomb checks), and opening the candidate for its check. */
  openMs: number;
  /** Bytes of image streams in the lossless candidate (what the image pass starts from). */
  lowImageBytes: number;
  /** The Ghostscript candidate, run for real when the plan has it. */
  gs?: GsPreview;
}

export interface LevelModel {
  /** Sampled images: output ÷ input bytes at this level (1 when nothing is rewritten). */
  imageRatio: number;
  /** Time the image pass takes, extrapolated from the sample's own timing. */
  imageMs: number;
}

/**
 * A job's size and time at one level, from the same plan the job makes: MuPDF's candidate
 * (the real lossless size minus what the sampled images save), Ghostscript's where it is
 * planned, and the time of every step the job runs one after another in its slot.
 */
export function estimateLevel(m: Measured, plan: ToolPlan, lossy: boolean, level: LevelModel, original: number): { size: number; ms: number } {
  const ours = m.lowSize - m.lowImageBytes * (1 - level.imageRatio);
  const gs = plan.ghostscript && m.gs ? m.gs.size - m.lowImageBytes * (1 - level.imageRatio) : Infinity;
  const size = Math.min(original, ours, gs);
  const withGs = plan.ghostscript && m.gs !== undefined;
  // The steps of pipeline.ts in order. The reference reads every page's text, and renders
  // every page in the same run when Ghostscript is planned (its candidate changes them all).
  let ms = m.openMs + m.pages * (withGs ? m.renderMsPerPage : m.textMsPerPage) + m.lowMs + (lossy ? level.imageMs : 0);
  if (plan.qpdf) ms += original / 40_000; // qpdf: ~40 MB/s, native
  if (withGs) ms += m.gs!.ms;
  // The check of the winner: text of every page and renderings of the pages compared; the
  // original's side of those renderings is made then too, unless the reference made it.
  const pictures = m.sampleRenderMs + (lossy ? m.imagePages * m.renderMsPerPage : 0);
  if (withGs && gs <= ours) ms += m.pages * m.renderMsPerPage;
  else ms += m.pages * m.textMsPerPage + (withGs ? 1 : 2) * pictures;
  // A Ghostscript candidate whose text differs is read until it fails (half of it, on average).
  if (withGs && !Number.isFinite(m.gs!.size)) ms += (m.pages * m.textMsPerPage) / 2;
  return { size, ms };
}
