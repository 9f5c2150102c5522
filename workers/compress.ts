import { defineTask } from './task.js';
import { runCompress, runCompressScans } from './compress/pipeline.js';

export type { CompressPayload, CompressResult, CompressOptions, CompressScansPayload, Level, ScanSplitResult } from './compress/types.js';

/**
 * The compression task (issue 3): see workers/compress/pipeline.ts for the flow and README's
 * level table for what each level does. Never returns a file larger than the input.
 */
export const compress = defineTask(runCompress);

/** One share of the compress task's page-scan splits, so they run on every pool thread (see compress/pipeline.ts). */
export const compressScans = defineTask(runCompressScans);
