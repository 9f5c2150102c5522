import path from 'node:path';
import type { Settings } from './levels.js';
import { findTool, runTool, type ToolRun } from './external.js';

/**
 * Ghostscript's pdfwrite, set to our level: images above ppi × threshold are resampled
 * (bicubic) to the level's resolution and JPEG-encoded at a QFactor matching imageQuality;
 * bitonal images keep their resolution (as ours do). Type1 fonts become CFF, which is why
 * Ghostscript wins on font-heavy files (refcard-a4.pdf: 129,539 → 69,309 bytes) though it
 * grows most pdfTeX manuals 20–110 %. `grayscale` converts the whole page here, not only
 * images.
 */
export function ghostscriptArgs(input: string, output: string, s: Settings): string[] {
  const q = qFactor(s.quality).toFixed(2);
  const dict = `<< /QFactor ${q} /Blend 1 /HSamples [2 1 1 2] /VSamples [2 1 1 2] >>`;
  return [
    '-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', '-dCompatibilityLevel=1.5',
    '-dPDFSETTINGS=/ebook', '-dDetectDuplicateImages=true', '-dCompressFonts=true', '-dSubsetFonts=true',
    '-dDownsampleColorImages=true', '-dDownsampleGrayImages=true', '-dDownsampleMonoImages=false',
    `-dColorImageResolution=${s.ppi}`, `-dGrayImageResolution=${s.ppi}`,
    `-dColorImageDownsampleThreshold=${s.threshold}`, `-dGrayImageDownsampleThreshold=${s.threshold}`,
    '-dColorImageDownsampleType=/Bicubic', '-dGrayImageDownsampleType=/Bicubic',
    '-dAutoFilterColorImages=false', '-dAutoFilterGrayImages=false',
    '-dColorImageFilter=/DCTEncode', '-dGrayImageFilter=/DCTEncode', '-dPassThroughJPEGImages=false',
    ...(s.grayscale ? ['-sColorConversionStrategy=Gray', '-dProcessColorModel=/DeviceGray'] : []),
    `-sOutputFile=${output}`,
    '-c', `<< /ColorImageDict ${dict} /GrayImageDict ${dict} >> setdistillerparams`,
    '-f', input,
  ];
}

/**
 * IJG quality → Ghostscript QFactor (the multiplier of the standard quantisation tables):
 * IJG scales them by 50/q below 50 and by (200 − 2q)/100 above, so q50 = 1.0, q80 = 0.4.
 */
export function qFactor(quality: number): number {
  const q = Math.min(100, Math.max(1, quality));
  return Math.max(0.01, q < 50 ? 50 / q : (200 - 2 * q) / 100);
}

export function ghostscriptAvailable(): boolean {
  return findTool('gs') !== null;
}

export async function runGhostscript(input: string, workDir: string, name: string, s: Settings, timeoutMs: number, signal?: AbortSignal): Promise<ToolRun & { file: string }> {
  const file = path.join(workDir, `${name}.pdf`);
  const gs = findTool('gs');
  if (!gs) return { ok: false, ms: 0, error: 'gs not installed', file };
  const run = await runTool(gs, ghostscriptArgs(input, file, s), { cwd: workDir, log: `${name}.log`, timeoutMs, ...(signal ? { signal } : {}) });
  return { ...run, file };
}
