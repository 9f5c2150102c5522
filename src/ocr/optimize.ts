import { copyFile, stat } from 'node:fs/promises';
import type { Config } from '../config.js';
import type { FileJobContext } from '../jobs/types.js';
import { splitScansAhead } from '../pool/scan-splits.js';
import type { CompressOptions, ScanSplitResult } from '../../workers/compress.js';

/**
 * optimize: the searchable PDF goes through the compress job's engine (workers/compress, its
 * scan handling and per-image verification included) at level medium, and is kept only if
 * it came out smaller with every page's text as it was. Otherwise the unoptimized file is
 * the output, and the result says why.
 */
export const OPTIMIZE_LEVEL = 'medium' as const;
export const OPTIMIZE_OPTIONS: CompressOptions = { compressionLevel: OPTIMIZE_LEVEL, imageQuality: 80 };

export interface OptimizeReport {
  level: typeof OPTIMIZE_LEVEL;
  applied: boolean;
  size_before: number;
  size_after: number;
  engine?: string;
  pages_bilevel?: number;
  pages_mrc?: number;
  reason?: string;
}

/**
 * `pages`: the searchable PDF's page count (at most that many threads split its scans).
 * `splitAhead`: its scans' splits, computed on the OCR job's source while the pages were
 * read (runOcr); the compress task takes each for the scan with the same content, and splits
 * any other itself.
 */
export async function optimizeSearchablePdf(ctx: FileJobContext, config: Config, input: string, output: string, pages: number, splitAhead?: ScanSplitResult[]): Promise<OptimizeReport> {
  const workDir = await ctx.workDir();
  const before = (await stat(input)).size;
  const candidate = `${output}.candidate.pdf`;
  const keep = async (reason: string): Promise<OptimizeReport> => {
    await copyFile(input, output);
    return { level: OPTIMIZE_LEVEL, applied: false, size_before: before, size_after: before, reason };
  };
  const options = OPTIMIZE_OPTIONS;
  // The scans' split (most of the compression's time on a scanned file) runs on every thread first.
  const shares = Math.min(ctx.pool.size, pages);
  const scanSplits = splitAhead || shares < 2 ? undefined : await splitScansAhead(ctx, input, config.maxPages, options, shares);
  const ahead = { ...(scanSplits ? { scanSplits } : {}), ...(splitAhead ? { scanSplitsByContent: splitAhead } : {}) };
  const r = await ctx.pool.run('compress', { input, output: candidate, workDir, maxPages: config.maxPages, options, ...ahead }, { signal: ctx.signal });
  const after = (await stat(candidate).catch(() => undefined))?.size;
  if (after === undefined || after >= before) return keep('the compression engine found nothing smaller');
  const check = await ctx.pool.run('ocrSameText', { a: input, b: candidate }, { signal: ctx.signal });
  if (!check.same) return keep(check.reason ?? 'the text changed');
  await copyFile(candidate, output);
  const scan = r as unknown as { pages_bilevel?: number; pages_mrc?: number };
  return {
    level: OPTIMIZE_LEVEL,
    applied: true,
    size_before: before,
    size_after: after,
    engine: r.engine,
    ...(typeof scan.pages_bilevel === 'number' ? { pages_bilevel: scan.pages_bilevel } : {}),
    ...(typeof scan.pages_mrc === 'number' ? { pages_mrc: scan.pages_mrc } : {}),
  };
}
