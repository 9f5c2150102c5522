import type { FileJobContext } from '../jobs/types.js';
import type { CompressOptions, ScanSplitResult } from '../../workers/compress.js';

/**
 * The compress task's page-scan splits (classification, text mask and background layers, the
 * check of each against its scan), spread over the pool threads: `count` compressScans tasks,
 * each opening the input and splitting every count-th scan, at most one per thread. The
 * compress task given the result (`scanSplits`) writes these instead of splitting on its one
 * thread. Each scan's outcome depends only on its image and the options, never on the share
 * or the thread that computed it, so the output is the same bytes for any `count`.
 */
export async function splitScansAhead(ctx: Pick<FileJobContext, 'pool' | 'signal'>, input: string, maxPages: number, options: CompressOptions, count: number, byContent = false): Promise<ScanSplitResult[] | undefined> {
  if (count < 1 || options.compressionLevel === 'low') return undefined; // no split at lossless levels
  const shares = await ctx.pool.map(
    Array.from({ length: count }, (_, shard) => shard),
    (shard) => ctx.pool.run('compressScans', { input, maxPages, options, shard, count, ...(byContent ? { byContent } : {}) }, { signal: ctx.signal }),
  );
  return shares.flat().sort((a, b) => a.num - b.num);
}
