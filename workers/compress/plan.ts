import type { Settings } from './levels.js';
import type { DocStats } from './doc-stats.js';

export interface ToolPlan {
  ghostscript: boolean;
  qpdf: boolean;
}

/**
 * Which external candidates run next to MuPDF.
 *
 * qpdf: at every level unless metadata must go (it keeps it). It is lossless and native, so
 * it costs ~1/10 of Ghostscript, runs on the other core and is checked only when smallest;
 * it wins where MuPDF's WebAssembly zlib had to step down from level 9 (Chromium-printed
 * KiCad manuals: 0.772 of the input at `low`, where MuPDF alone reached 0.801 at `medium`).
 *
 * Ghostscript: on lossy levels, where it can win — its Type1→CFF font conversion pays when
 * embedded fonts are a large share (refcard-a4.pdf, fonts 85 %: 129,539 → 61,235 bytes;
 * R-data.pdf, 60 %: 309,064 → 224,986), and its softer image resampling makes photos ~25 %
 * smaller than ours at the same nominal JPEG quality. On long text manuals with few font
 * bytes it only costs time and loses (gnuplot.pdf, fonts 17 %: 4 s, +48 %; octave.pdf, 8 %:
 * 13 s, +33 %), so it is skipped there. Short or small files always get it: it is usually
 * fast on them (live-manual.pdf, 111 KB with CFF fonts: 0.72 of the input, ours 0.96), and
 * where it is not, the deadline in pipeline.ts stops it.
 */
export function planTools(stats: DocStats, size: number, pages: number, s: Settings, available: { gs: boolean; qpdf: boolean }): ToolPlan {
  const fontShare = (stats.fontBytes.type1 + stats.fontBytes.truetype) / size;
  const imageShare = stats.imageBytes / size;
  const gsMayWin = pages <= 20 || size < 1e6 || fontShare >= 0.2 || imageShare >= 0.1;
  return { ghostscript: available.gs && s.lossy && gsMayWin, qpdf: available.qpdf && !s.removeMetadata };
}
