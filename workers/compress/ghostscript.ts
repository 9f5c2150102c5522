import path from 'node:path';
import { findTool, runTool, type ToolRun } from './external.js';

/**
 * Ghostscript's pdfwrite as a font and structure pre-pass, the same at every level: Type1
 * fonts become CFF (why it wins on font-heavy files: refcard-a4.pdf 129,539 → 69,309 bytes),
 * while images keep their pixels (JPEG and JPX passed through, the rest written as Flate), so
 * our image pass then treats its output's images exactly as the original's and the stronger
 * level still never comes out larger (issue #17). `grayscale` converts whole pages here.
 */
export function ghostscriptArgs(input: string, output: string, grayscale: boolean): string[] {
  return [
    '-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', '-dCompatibilityLevel=1.5',
    '-dDetectDuplicateImages=true', '-dCompressFonts=true', '-dSubsetFonts=true', '-dEmbedAllFonts=true',
    '-dDownsampleColorImages=false', '-dDownsampleGrayImages=false', '-dDownsampleMonoImages=false',
    '-dPassThroughJPEGImages=true', '-dPassThroughJPXImages=true',
    '-dAutoFilterColorImages=false', '-dAutoFilterGrayImages=false',
    '-dColorImageFilter=/FlateEncode', '-dGrayImageFilter=/FlateEncode',
    ...(grayscale ? ['-sColorConversionStrategy=Gray', '-dProcessColorModel=/DeviceGray'] : ['-sColorConversionStrategy=LeaveColorUnchanged']),
    `-sOutputFile=${output}`,
    '-f', input,
  ];
}

/**
 * A bound for safety only, far above any normal run (Ghostscript takes ~0.2–0.6 s a page on
 * the manuals it is planned for): a run that reaches it is treated as failed, which is the
 * one exceptional case in which the result can differ between two runs of the same job
 * (README, Compression levels).
 */
export function ghostscriptSafetyMs(pages: number): number {
  return Math.max(300_000, pages * 3_000);
}

export function ghostscriptAvailable(): boolean {
  return findTool('gs') !== null;
}

export async function runGhostscript(input: string, workDir: string, name: string, grayscale: boolean, pages: number): Promise<ToolRun & { file: string }> {
  const file = path.join(workDir, `${name}.pdf`);
  const gs = findTool('gs');
  if (!gs) return { ok: false, ms: 0, error: 'gs not installed', file };
  const run = await runTool(gs, ghostscriptArgs(input, file, grayscale), { cwd: workDir, log: `${name}.log`, timeoutMs: ghostscriptSafetyMs(pages) });
  return { ...run, file };
}
