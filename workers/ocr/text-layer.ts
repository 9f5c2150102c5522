import { deflateSync } from 'node:zlib';
import type * as Mupdf from 'mupdf';
import { CHAR_WIDTH_EM } from './glyphless-font.js';
import type { OcrPageResult } from './types.js';

const num = (n: number) => (Math.round(n * 10) / 10).toString();

function utf16Hex(text: string): string {
  let hex = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0xd800 && cp < 0xe000)) continue;
    if (cp < 0x10000) hex += cp.toString(16).padStart(4, '0');
    else {
      const a = cp - 0x10000;
      hex += (0xd800 + (a >> 10)).toString(16) + (0xdc00 + (a & 0x3ff)).toString(16);
    }
  }
  return hex.toUpperCase();
}

/**
 * The invisible text of one page as content-stream operators, in a space of points with
 * the origin at the bottom-left of the page as displayed (the caller's `cm` maps it onto
 * the page). Every word is placed on its own box: font size = its line's height, baseline
 * = the line's bottom (the font has ascent 1 em and no descent, so a selection highlight
 * covers the line box), and horizontal scaling (Tz) stretches its glyphs to the word's
 * width. Words but a line's last carry a trailing space, so extractors split words the same
 * way whatever their gap heuristics.
 *
 * Kept terse because it is most of what OCR adds to a file: a line starts with Tm, each word
 * is a relative Td, numbers have one decimal (0.1 pt = 0.035 mm). ~10 bytes per word after
 * Flate; a dense A4 page of ~250 words adds ~2.5 KB.
 */
export function textLayerOps(result: OcrPageResult, pageHeightPt: number, fontName: string): string {
  const s = 72 / result.dpi;
  const out: string[] = ['BT', '3 Tr'];
  for (const block of result.blocks) {
    for (const line of block.lines) {
      const fs = Math.max(1, (line.bbox[3] - line.bbox[1]) * s);
      const baseline = pageHeightPt - line.bbox[3] * s;
      let x = 0;
      const ops: string[] = [];
      line.words.forEach((w, i) => {
        const hex = utf16Hex(w.text);
        if (!hex) return;
        const n = hex.length / 4;
        const width = Math.max(0.1, (w.bbox[2] - w.bbox[0]) * s);
        const tz = Math.min(10_000, (100 * width) / (fs * CHAR_WIDTH_EM * n));
        const wx = w.bbox[0] * s;
        const move = ops.length === 0 ? `1 0 0 1 ${num(wx)} ${num(baseline)} Tm` : `${num(wx - x)} 0 Td`;
        x = ops.length === 0 ? wx : x + Number(num(wx - x));
        ops.push(`${move} ${num(tz)} Tz <${hex}${i < line.words.length - 1 ? '0020' : ''}> Tj`);
      });
      if (ops.length) out.push(`/${fontName} ${num(fs)} Tf`, ...ops);
    }
  }
  out.push('ET');
  return out.join('\n');
}

/** Shared per document: the font, its resource name, and the one-byte "q" stream every page reuses. */
export interface TextLayerContext {
  doc: Mupdf.PDFDocument;
  mupdf: typeof Mupdf;
  font: Mupdf.PDFObject;
  fontName: string;
  saveState: Mupdf.PDFObject;
}

export function newTextLayerContext(mupdf: typeof Mupdf, doc: Mupdf.PDFDocument, font: Mupdf.PDFObject): TextLayerContext {
  const dict = doc.newDictionary();
  return { doc, mupdf, font, fontName: 'OCRf', saveState: doc.addRawStream(Buffer.from('q\n'), dict) };
}

function addFontResource(ctx: TextLayerContext, pageObj: Mupdf.PDFObject): string {
  const { doc } = ctx;
  let resources = pageObj.get('Resources');
  if (!resources.isDictionary()) {
    // Inherited from the page tree (or absent): give the page its own copy to extend.
    const inherited = pageObj.getInheritable('Resources');
    resources = doc.newDictionary();
    if (inherited.isDictionary()) inherited.forEach((v, k) => resources.put(k, v));
    pageObj.put('Resources', resources);
  }
  let fonts = resources.get('Font');
  if (!fonts.isDictionary()) {
    fonts = doc.newDictionary();
    resources.put('Font', fonts);
  }
  // The same name on every page; only if a document already uses it for another font do we
  // pick another (shared resource dictionaries then get one entry for all their pages).
  let name = ctx.fontName;
  for (let i = 1; fonts.get(name).isDictionary() && fonts.get(name).resolve().get('BaseFont').toString() !== '/GlyphLessFont'; i++) name = `${ctx.fontName}${i}`;
  fonts.put(name, ctx.font);
  return name;
}

/**
 * Adds the OCR text to an existing page without touching its content: the page's own
 * streams are wrapped in q … Q (so whatever state they leave — a stray cm, an open clip —
 * cannot shift the text) and the text follows as a new stream. `pixelToPage` is how the
 * recognised image was rendered: the page's transform (PDF user space → MuPDF's top-left
 * space) and the page's displayed height in points. `turnDeg`: the words were read on the page
 * straightened by this skew, and are turned back onto it (deskew of a page that is not one scan).
 */
export function attachTextLayer(ctx: TextLayerContext, page: Mupdf.PDFPage, result: OcrPageResult, turnDeg = 0): number {
  const { doc, mupdf } = ctx;
  const pageObj = page.getObject();
  const [x0, y0, x1, y1] = page.getBounds();
  const height = y1 - y0;
  // Our space (y up, points, origin bottom-left as displayed) → MuPDF page space → PDF user space.
  const flip: Mupdf.Matrix = [1, 0, 0, -1, x0, y1];
  let toUser = mupdf.Matrix.concat(flip, mupdf.Matrix.invert(page.getTransform()));
  let cm = toUser.map(num).join(' ');
  if (turnDeg !== 0) {
    // Text read on the page straightened, laid on the page as it shows: turned clockwise (as
    // seen; MuPDF's space has y down) by the skew about the page's centre. Six decimals, as a
    // rotation's sines need them.
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    const turn = mupdf.Matrix.concat(mupdf.Matrix.concat(mupdf.Matrix.translate(-cx, -cy), mupdf.Matrix.rotate(turnDeg)), mupdf.Matrix.translate(cx, cy));
    toUser = mupdf.Matrix.concat(mupdf.Matrix.concat(flip, turn), mupdf.Matrix.invert(page.getTransform()));
    cm = toUser.map((n) => (Math.round(n * 1e6) / 1e6).toString()).join(' ');
  }
  const fontName = addFontResource(ctx, pageObj);
  const ops = `Q\nq\n${cm} cm\n${textLayerOps(result, height, fontName)}\nQ\n`;
  const dict = doc.newDictionary();
  dict.put('Filter', doc.newName('FlateDecode'));
  const text = doc.addRawStream(deflateSync(Buffer.from(ops, 'latin1'), { level: 9 }), dict);

  const contents = pageObj.get('Contents');
  const list = doc.newArray();
  list.push(ctx.saveState);
  if (contents.isArray()) contents.forEach((c) => list.push(c));
  else if (!contents.isNull()) list.push(contents);
  list.push(text);
  pageObj.put('Contents', list);
  return ops.length;
}
