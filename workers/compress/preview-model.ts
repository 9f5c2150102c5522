import type { DocStats } from './doc-stats.js';
import type { ToolPlan } from './plan.js';

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
  /** Pages drawing an image (each is rendered in a lossy job's check). */
  imagePages: number;
  /** Opening and checking the file (openPdf: structure, page count, decompression bomb checks). */
  openMs: number;
}

/**
 * Ghostscript time, modelled on the manuals the plan sends to it (3–57 pages, 0.13–1.4 MB,
 * Type1 fonts): 0.19 s for 3 pages, 0.39 s for 38, 0.65–0.8 s for 52; ~150 ms to start plus
 * ~11 ms a page and ~0.2 ms a KB (the font programs it converts).
 */
export function ghostscriptMs(pages: number, size: number): number {
  return 150 + 11 * pages + size / 5000;
}

/**
 * Share of Type1 font bytes the Ghostscript pre-pass saves, measured on the manuals it wins
 * on (R-data, R-FAQ, refcard-a4, crc-doc, fontconfig-user, liboctave, libtasn1, bzip2's
 * manual, sample-amc, shared-mime-info: saving ÷ Type1 bytes, median 0.55).
 */
const GS_TYPE1_SAVING = 0.55;
/** Type1 programs embedded whole lose the glyphs no page uses too: the generated fixture of six URW faces, 735 KB of fonts → 24 KB. */
const GS_WHOLE_TYPE1_SAVING = 0.95;

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
export function estimateLevel(m: Measured, stats: DocStats, plan: ToolPlan, lossy: boolean, level: LevelModel, original: number): { size: number; ms: number } {
  const ours = m.lowSize - stats.imageBytes * (1 - level.imageRatio);
  const gs = plan.ghostscript ? ours - (stats.fontBytes.type1 - stats.type1Whole) * GS_TYPE1_SAVING - stats.type1Whole * GS_WHOLE_TYPE1_SAVING : Infinity;
  const size = Math.min(original, ours, gs);
  // Reference (text of every page), our candidate, and the check of the winner: text again,
  // plus renderings of first, middle and last page and of those it changed (all of them for
  // Ghostscript's).
  let ms = m.openMs + m.pages * m.textMsPerPage + m.lowMs + (lossy ? level.imageMs : 0);
  if (plan.qpdf) ms += original / 40_000; // qpdf: ~40 MB/s, native
  if (plan.ghostscript) ms += ghostscriptMs(m.pages, original) + m.lowMs + m.pages * m.renderMsPerPage;
  ms += m.pages * m.textMsPerPage + (Math.min(3, m.pages) + (lossy ? m.imagePages : 0)) * m.renderMsPerPage;
  return { size, ms };
}
