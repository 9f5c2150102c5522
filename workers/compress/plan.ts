import type { Settings } from './levels.js';
import type { DocStats } from './doc-stats.js';

export interface ToolPlan {
  ghostscript: boolean;
  qpdf: boolean;
}

/**
 * Which external candidates run besides MuPDF, decided from the document before any work,
 * so the same file and options always run the same candidates, however busy the server is
 * (issue #17: a wall-clock deadline on Ghostscript made the winner depend on the load).
 * Neither predicate depends on the level, so a stronger level always has the weaker level's
 * candidates to choose from.
 *
 * Ghostscript, as a font pre-pass (ghostscript.ts) on lossy levels: its Type1 → CFF
 * conversion pays when Type1 programs are a large share of the file (refcard-a4.pdf, fonts
 * 85 %: 129,539 → 61,235 bytes; R-data.pdf, 60 %: 309,064 → 224,986). On long text manuals
 * with few font bytes it only costs time and loses (gnuplot.pdf, fonts 17 %: 4 s, +48 %;
 * octave.pdf, 8 %: 13 s, +33 %), and since our own images are now smaller than its
 * (bench-compress), photos are no reason to run it.
 *
 * qpdf, lossless: where MuPDF's WebAssembly zlib steps down from level 9 on large documents
 * (lossless.ts: zlibLevelFor), qpdf's native level 9 wins (Chromium-printed KiCad manuals:
 * 0.772 of the input, MuPDF 0.801). At level 9 both pack the same within ~0.5 %.
 */
export function planTools(stats: DocStats, size: number, zlibLevel: number, s: Settings, available: { gs: boolean; qpdf: boolean }): ToolPlan {
  const type1Share = stats.fontBytes.type1 / size;
  return {
    ghostscript: available.gs && s.lossy && type1Share >= GS_TYPE1_SHARE,
    qpdf: available.qpdf && !s.removeMetadata && zlibLevel < 9,
  };
}

export const GS_TYPE1_SHARE = 0.2;
