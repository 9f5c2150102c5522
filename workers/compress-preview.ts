import { defineTask } from './task.js';
import { runPreview } from './compress/preview.js';

export type { PreviewPayload, PreviewResult, LevelEstimate } from './compress/preview.js';

/**
 * POST /api/compress/preview: pages, images and their share of the bytes, fonts, whether the
 * file is a scan, and per-level size estimates from a real sample (see compress/preview.ts).
 */
export const compressPreview = defineTask(runPreview);
