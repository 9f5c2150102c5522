import type * as Mupdf from 'mupdf';
import type { TaskContext } from '../task.js';
import type { Settings } from './levels.js';
import { scanImageUsage, type UsageScan } from './image-usage.js';
import { encodeImage, type EncodedImage } from './image-encode.js';
import type { MupdfModule } from './mupdf-util.js';

export interface ImagePass {
  /** Distinct image XObjects drawn on the pages. */
  found: number;
  recompressed: number;
  /** Images whose every rewrite failed verification: they keep their bytes. */
  rejected: number;
  /** Object numbers rewritten. */
  touched: Set<number>;
  /** Pages drawing a rewritten image (0-based): the rendering check covers each of them. */
  changedPages: Set<number>;
  scan: UsageScan;
}

/**
 * Downsamples and re-encodes every drawn image but those in `keep`. Progress spans `from`..`to` percent:
 * the first fifth for finding displayed sizes, the rest as "images n/m".
 */
export async function recompressImages(mupdf: MupdfModule, doc: Mupdf.PDFDocument, pageCount: number, s: Settings, ctx: TaskContext, span: [number, number], scan?: UsageScan, keep?: Set<number>): Promise<ImagePass> {
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
  const work = nums.filter((n) => !keep?.has(n));
  const touched = new Set<number>();
  const changedPages = new Set<number>();
  let rejected = 0;
  const step = Math.max(1, Math.floor(work.length / 50));
  for (const [i, num] of work.entries()) {
    if (i % step === 0) ctx.progress(from + (to - from) * (0.2 + (0.8 * i) / work.length), `images ${i + 1}/${work.length}`);
    const ref = doc.newIndirect(num);
    let outcome;
    try {
      outcome = await encodeImage(mupdf, doc, ref, usage.uses.get(num)!, s, smasks.has(num) ? 'smask' : 'image');
    } catch {
      outcome = 'skipped' as const; // an image MuPDF cannot decode stays as it was
    }
    if (outcome === 'rejected') rejected++;
    if (typeof outcome === 'object') {
      write(doc, ref, outcome);
      touched.add(num);
      for (const p of usage.pages.get(num) ?? []) changedPages.add(p);
    }
    // Decoded images stay in MuPDF's store; a photo album would otherwise hold them all.
    mupdf.emptyStore();
  }
  const images = (set: Iterable<number>) => [...set].filter((n) => !smasks.has(n)).length;
  return { found: images(nums), recompressed: images(touched), rejected, touched, changedPages, scan: usage };
}

/**
 * Writes a verified rewrite through the image's reference (never resolve() then write: with
 * garbage≥2 that drops fonts and forms in some pdfTeX files). The samples are decoded ones, so
 * every entry about the old encoding goes: DecodeParms, Decode (MuPDF applied it), the JPX
 * alpha flag. A Flate result is re-deflated by the lossless pass too, keeping the smaller.
 */
function write(doc: Mupdf.PDFDocument, ref: Mupdf.PDFObject, e: EncodedImage) {
  ref.writeRawStream(e.data);
  ref.put('Filter', doc.newName(e.filter));
  for (const key of ['DecodeParms', 'Decode', 'SMaskInData']) ref.delete(key);
  ref.put('Width', e.width);
  ref.put('Height', e.height);
  ref.put('BitsPerComponent', 8);
  if (e.colorSpace) ref.put('ColorSpace', doc.newName(e.colorSpace));
}
