import { defineTask } from './task.js';
import { runCompress } from './compress/pipeline.js';

export type { CompressPayload, CompressResult, CompressOptions, Level } from './compress/types.js';

/**
 * The compression task (issue 3): see workers/compress/pipeline.ts for the flow and README's
 * level table for what each level does. Never returns a file larger than the input.
 */
export const compress = defineTask(runCompress);
