import type * as Mupdf from 'mupdf';
import type { TaskContext } from '../task.js';
import type { Settings } from './levels.js';
import { scanImageUsage, type UsageScan } from './image-usage.js';
import { recompressImage } from './image-encode.js';
import type { MupdfModule } from './mupdf-util.js';

export interface ImagePass {
  /** Distinct image XObjects drawn on the pages. */
  found: number;
  recompressed: number;
  /** Object numbers rewritten. */
  touched: Set<number>;
  scan: UsageScan;
}

/**
 * Downsamples and re-encodes every drawn image. Progress spans `from`..`to` percent:
 * the first fifth for finding displayed sizes, the rest as "images n/m".
 */
export function recompressImages(mupdf: MupdfModule, doc: Mupdf.PDFDocument, pageCount: number, s: Settings, ctx: TaskContext, span: [number, number], scan?: UsageScan): ImagePass {
  const [from, to] = span;
  const pages = Array.from({ length: pageCount }, (_, i) => i);
  const every = Math.max(1, Math.floor(pageCount / 10));
  const usage = scan ?? scanImageUsage(mupdf, doc, pages, (done) => {
    if (done % every === 0) ctx.progress(from + ((to - from) * 0.2 * done) / pageCount, 'analysing');
  });
  const smasks = new Set<number>();
  for (const num of usage.uses.keys()) {
    const sm = doc.newIndirect(num).get('SMask');
    if (sm.isIndirect()) smasks.add(sm.asIndirect());
  }
  const nums = [...usage.uses.keys()].sort((a, b) => a - b);
  const touched = new Set<number>();
  const step = Math.max(1, Math.floor(nums.length / 50));
  nums.forEach((num, i) => {
    if (i % step === 0) ctx.progress(from + (to - from) * (0.2 + (0.8 * i) / nums.length), `images ${i + 1}/${nums.length}`);
    let outcome;
    try {
      outcome = recompressImage(mupdf, doc, num, usage.uses.get(num)!, s, smasks.has(num) ? 'smask' : 'image');
    } catch {
      outcome = 'skipped'; // an image MuPDF cannot decode stays as it was
    }
    if (outcome === 'recompressed') touched.add(num);
    // Decoded images stay in MuPDF's store; a photo album would otherwise hold them all.
    mupdf.emptyStore();
  });
  return { found: nums.length - [...smasks].filter((n) => usage.uses.has(n)).length, recompressed: [...touched].filter((n) => !smasks.has(n)).length, touched, scan: usage };
}
