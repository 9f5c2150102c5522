import type * as Mupdf from 'mupdf';

/**
 * What is done to a page before it is recognised, and to the same page of the searchable
 * PDF, so the text layer lies on what is shown:
 * - `rotate`: the page's /Rotate is turned by this many degrees clockwise (the image's bytes
 *   stay as they are; every reader shows the page upright);
 * - `skew`: the page's content is turned back by this angle about the page's centre (a `cm`
 *   around the original content streams), so the scan shows straight. This is how a page is
 *   rendered straight for recognition and for mode force's raster; in the searchable PDF a page
 *   that is one scan gets a straightened image instead and any other page keeps its content
 *   (deskew.ts), so the output never carries this turn.
 */
export interface PageFix {
  rotate: number;
  /** Degrees the text lines descended to the right as displayed (after `rotate`); 0 = none. */
  skew: number;
}

/** Skews below this are left alone (a twentieth of a degree moves an A4 line's end by 0.5 pt). */
export const MIN_SKEW_DEG = 0.05;

export function isFixed(fix: PageFix | undefined): fix is PageFix {
  return !!fix && (fix.rotate % 360 !== 0 || Math.abs(fix.skew) >= MIN_SKEW_DEG);
}

const num = (n: number) => (Math.round(n * 1e6) / 1e6).toString();

export function applyPageFix(mupdf: typeof Mupdf, doc: Mupdf.PDFDocument, index: number, fix: PageFix): void {
  const pageObj = doc.findPage(index);
  if (fix.rotate % 360 !== 0) {
    const old = pageObj.getInheritable('Rotate');
    const before = old.isNumber() ? old.asNumber() : 0;
    pageObj.put('Rotate', (((Math.round(before / 90) * 90 + fix.rotate) % 360) + 360) % 360);
  }
  if (Math.abs(fix.skew) < MIN_SKEW_DEG) return;
  const page = doc.loadPage(index);
  let cm: Mupdf.Matrix;
  try {
    const [x0, y0, x1, y1] = page.getBounds();
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    // MuPDF's page space has y down, so rotate(−a) turns the content counter-clockwise as
    // seen, undoing a clockwise skew of a; T maps it into the page's own user space.
    const turn = mupdf.Matrix.concat(mupdf.Matrix.concat(mupdf.Matrix.translate(-cx, -cy), mupdf.Matrix.rotate(-fix.skew)), mupdf.Matrix.translate(cx, cy));
    const t = page.getTransform();
    cm = mupdf.Matrix.concat(mupdf.Matrix.concat(t, turn), mupdf.Matrix.invert(t));
  } finally {
    page.destroy();
  }
  const open = doc.addStream(`q ${cm.map(num).join(' ')} cm\n`, doc.newDictionary());
  const close = doc.addStream('\nQ\n', doc.newDictionary());
  const contents = pageObj.get('Contents');
  const list = doc.newArray();
  list.push(open);
  if (contents.isArray()) contents.forEach((c) => list.push(c));
  else if (!contents.isNull()) list.push(contents);
  list.push(close);
  pageObj.put('Contents', list);
}
