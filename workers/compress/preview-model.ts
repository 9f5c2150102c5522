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
  // Reference (text of every page), our candidate, and the check of the winner: text again,
  // plus renderings of first, middle and last page and of those it changed (all of them for
  // Ghostscript's).
  let ms = m.openMs + m.pages * m.textMsPerPage + m.lowMs + (lossy ? level.imageMs : 0);
  if (plan.qpdf) ms += original / 40_000; // qpdf: ~40 MB/s, native
  // Every page compared is rendered twice: the original's (the reference) and the candidate's.
  // A Ghostscript candidate whose text differs fails before its pages are rendered.
  if (plan.ghostscript && m.gs) ms += m.gs.ms + (Number.isFinite(m.gs.size) ? 2 : 1) * m.pages * m.renderMsPerPage;
  ms += m.pages * m.textMsPerPage + 2 * (m.sampleRenderMs + (lossy ? m.imagePages * m.renderMsPerPage : 0));
  return { size, ms };
}
