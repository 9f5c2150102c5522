import { defineTask } from './task.js';
import { assemble, type AssemblePayload, type AssembleResult } from './ocr/assemble.js';
import { planOcr, type PlanPayload } from './ocr/plan.js';
import { recognizePages, type RecognizePayload } from './ocr/recognize.js';
import type { OcrPageResult, OcrPlan } from './ocr/types.js';
import { sameText, type SameTextPayload } from './ocr/same-text.js';
import { detectLanguage, type LanguagePayload, type LanguageResult } from './ocr/language.js';

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

/** language "auto": the script and language of one sample page (see ocr/language.ts). */
export const ocrLanguage = defineTask((p: LanguagePayload): Promise<LanguageResult> => detectLanguage(p));

/** optimize's check: the compressed searchable PDF has the same text as before (see ocr/same-text.ts). */
export const ocrSameText = defineTask((p: SameTextPayload) => sameText(p));
