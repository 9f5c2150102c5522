import type * as Mupdf from 'mupdf';
import { isImageStream, loadImage, type MupdfModule } from './mupdf-util.js';

/** The largest size, in points, at which an image is drawn anywhere in the document. */
export interface ImageUse {
  w: number;
  h: number;
}

export interface UsageScan {
  /** Image object number → largest displayed size. Images never drawn are absent. */
  uses: Map<number, ImageUse>;
  /** Per page: fraction of the page area covered by images (for scan detection). */
  coverage: number[];
  /** Image object number → the pages that draw it (soft masks with their image's pages). */
  pages: Map<number, Set<number>>;
  /**
   * Stencil masks (/ImageMask true) → largest displayed size. Kept apart from `uses`: only the
   * G4 pass (bitonal.ts) and the scan count (scan-pages.ts) want them.
   */
  stencils: Map<number, ImageUse>;
}

/**
 * Finds where every image XObject is drawn. Only pages whose resources (forms, patterns,
 * Type3 fonts, soft-mask groups and annotation appearances included) reach an image are run
 * through a recording device, so a 1,158-page manual with one figure costs one page run
 * instead of ~1.6 s of running every page. Shared resources are walked once (memo by object
 * number), keeping the walk linear in the document size.
 *
 * Device calls carry an fz_image, not an object number: MuPDF keeps loaded images in its store
 * keyed by object, so loading the page's image objects first yields the same pointers the
 * interpreter then draws. An image evicted meanwhile is matched by its pixel size instead.
 */
export function scanImageUsage(mupdf: MupdfModule, doc: Mupdf.PDFDocument, pages: number[], onPage?: (done: number) => void): UsageScan {
  const walker = new ResourceWalker();
  const uses = new Map<number, ImageUse>();
  const coverage: number[] = [];
  const drawnOn = new Map<number, Set<number>>();
  const stencils = new Map<number, ImageUse>();
  pages.forEach((index, done) => {
    const pageObj = doc.findPage(index);
    const found = walker.pageImages(pageObj);
    coverage[index] = 0;
    if (found.size > 0) runPage(mupdf, doc, index, found, { uses, coverage, pages: drawnOn, stencils });
    onPage?.(done + 1);
  });
  return { uses, coverage, pages: drawnOn, stencils };
}

function runPage(mupdf: MupdfModule, doc: Mupdf.PDFDocument, index: number, found: Set<number>, scan: UsageScan) {
  const { uses, coverage, pages } = scan;
  const byPointer = new Map<number, number>();
  const bySize = new Map<string, number[]>();
  const held: Mupdf.Image[] = [];
  for (const num of found) {
    const ref = doc.newIndirect(num);
    let img: Mupdf.Image;
    try {
      img = loadImage(mupdf, doc, ref);
    } catch {
      continue; // an undecodable image is left as it is
    }
    held.push(img);
    byPointer.set(img.pointer as unknown as number, num);
    const key = `${img.getWidth()}x${img.getHeight()}`;
    bySize.set(key, [...(bySize.get(key) ?? []), num]);
  }
  const page = doc.loadPage(index);
  const [x0, y0, x1, y1] = page.getBounds();
  const pageArea = Math.max(1, (x1 - x0) * (y1 - y0));
  let covered = 0;
  const record = (num: number, ctm: Mupdf.Matrix, into = uses) => {
    const w = Math.hypot(ctm[0], ctm[1]);
    const h = Math.hypot(ctm[2], ctm[3]);
    const prev = into.get(num);
    into.set(num, { w: Math.max(w, prev?.w ?? 0), h: Math.max(h, prev?.h ?? 0) });
    (pages.get(num) ?? pages.set(num, new Set()).get(num)!).add(index);
    const smask = doc.newIndirect(num).get('SMask');
    if (smask.isIndirect()) record(smask.asIndirect(), ctm);
  };
  const numOf = (image: Mupdf.Image) => {
    const num = byPointer.get(image.pointer as unknown as number);
    if (num !== undefined) return num;
    const same = bySize.get(`${image.getWidth()}x${image.getHeight()}`);
    return same?.length === 1 ? same[0] : undefined;
  };
  const device = new mupdf.Device({
    fillImage(image: Mupdf.Image, ctm: Mupdf.Matrix) {
      const num = numOf(image);
      covered += Math.abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]);
      if (num !== undefined) record(num, ctm);
    },
    fillImageMask(image: Mupdf.Image, ctm: Mupdf.Matrix) {
      const num = numOf(image);
      // A stencil counts too: a 1-bit scan may be one (our own bilevel pages are: README "Scans").
      covered += Math.abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]);
      if (num !== undefined) record(num, ctm, scan.stencils);
    },
  });
  try {
    page.run(device, mupdf.Matrix.identity);
  } catch {
    // A page MuPDF cannot fully run keeps the uses found so far; validation guards the rest.
  } finally {
    device.close();
    device.destroy();
    page.destroy();
    for (const img of held) img.destroy();
  }
  coverage[index] = Math.min(1, covered / pageArea);
}

/** Image objects reachable from a page, with each shared resource walked once. */
class ResourceWalker {
  private memo = new Map<number, Set<number>>();

  pageImages(pageObj: Mupdf.PDFObject): Set<number> {
    const out = new Set<number>();
    this.resources(pageObj.getInheritable('Resources'), out);
    const annots = pageObj.get('Annots');
    // Paths, not chained get(): get() on the Null a missing key returns throws in mupdf.js.
    for (let i = 0; i < annots.length; i++) for (const key of ['N', 'R', 'D']) this.appearance(annots.get(i, 'AP', key), out);
    return out;
  }

  private appearance(ap: Mupdf.PDFObject, out: Set<number>) {
    if (ap.isStream()) this.object(ap, out);
    else if (ap.isDictionary()) ap.forEach((state) => this.object(state, out));
  }

  /** A form, pattern, Type3 font or image: memoised by object number. */
  private object(obj: Mupdf.PDFObject, out: Set<number>) {
    if (!obj.isIndirect()) {
      if (obj.isDictionary()) this.resources(obj.get('Resources'), out);
      return;
    }
    const num = obj.asIndirect();
    let set = this.memo.get(num);
    if (!set) {
      set = new Set();
      this.memo.set(num, set); // set before walking: a cycle ends here
      if (isImageStream(obj)) set.add(num);
      else this.resources(obj.get('Resources'), set);
    }
    for (const n of set) out.add(n);
  }

  private resources(res: Mupdf.PDFObject, out: Set<number>) {
    if (!res.isDictionary()) return;
    if (res.isIndirect()) {
      const num = res.asIndirect();
      let set = this.memo.get(num);
      if (!set) {
        set = new Set();
        this.memo.set(num, set);
        this.resourceEntries(res, set);
      }
      for (const n of set) out.add(n);
    } else {
      this.resourceEntries(res, out);
    }
  }

  private resourceEntries(res: Mupdf.PDFObject, out: Set<number>) {
    for (const cat of ['XObject', 'Pattern', 'Font']) {
      const dict = res.get(cat);
      if (dict.isDictionary()) dict.forEach((v) => this.object(v, out));
    }
    const gs = res.get('ExtGState');
    if (gs.isDictionary()) {
      gs.forEach((state) => {
        const smask = state.get('SMask');
        if (smask.isDictionary()) this.object(smask.get('G'), out);
      });
    }
  }
}
