import { defineTask } from './task.js';
import { assemble, type AssemblePayload, type AssembleResult } from './ocr/assemble.js';
import { planOcr, type PlanPayload } from './ocr/plan.js';
import { recognizePages, type RecognizePayload } from './ocr/recognize.js';
import type { OcrPageResult, OcrPlan } from './ocr/types.js';

/**
 * The OCR job's three pool tasks (src/ocr/handler.ts runs them):
 *   ocrPlan      once: image uploads → PDF; which pages to OCR, at which dpi
 *   ocrRecognize fanned out, a few pages each: render + recognise → words with boxes
 *   ocrAssemble  once: the searchable PDF (text layer on the original pages), text or json
 */
export const ocrPlan = defineTask((p: PlanPayload): Promise<OcrPlan & { imageDpiKnown?: boolean[] }> => planOcr(p));

export const ocrRecognize = defineTask((p: RecognizePayload, ctx): Promise<OcrPageResult[]> =>
  recognizePages(p, (done, stage) => ctx.progress(done, stage)),
);

export const ocrAssemble = defineTask((p: AssemblePayload): Promise<AssembleResult> => assemble(p));
