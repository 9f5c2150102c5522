import { deflateSync } from 'node:zlib';
import * as mupdf from 'mupdf';
import { buildPdf, addImage, pixmapOf, photoPixels, rng, scanPixels } from './image-fixtures.js';
import { grayIccProfile } from './stream-encoders.js';
import { encodeJpeg } from './baseline-jpeg.js';

/**
 * Issue #17's report rebuilt: 9 pages of text with a gray Flate scan on page 2 and a gray
 * JPEG scan with an ICCBased N=1 profile on page 7, both 2550×3300 at 300 ppi (8 MB).
 */
export function issuePdf(): Buffer {
  return buildPdf((doc) => Array.from({ length: 9 }, (_, p) => {
    const text = Array.from({ length: 30 }, (_, i) => `Page ${p + 1}, line ${i + 1}: a report with scanned appendices`);
    if (p === 1) return { text: ['Scan (Flate)'], draws: [{ ref: addImage(doc, { w: 2550, h: 3300, cs: 'gray', encoding: 'flate', scan: true, seed: 7 }), x: 0, y: 0, w: 612, h: 792 }], size: [612, 792] as [number, number] };
    if (p === 6) {
      const pix = pixmapOf('gray', 2550, 3300, scanPixels(2550, 3300, 8));
      const jpeg = pix.asJPEG(90, false);
      pix.destroy();
      const cs = doc.newArray();
      cs.push(doc.newName('ICCBased'));
      cs.push(doc.addStream(grayIccProfile(), { N: 1 }));
      const ref = doc.addRawStream(jpeg, { Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: 2550, Height: 3300, BitsPerComponent: 8, ColorSpace: cs, Filter: doc.newName('DCTDecode') });
      return { text: ['Scan (JPEG, ICC gray)'], draws: [{ ref, x: 0, y: 0, w: 612, h: 792 }], size: [612, 792] as [number, number] };
    }
    return { text, size: [612, 792] as [number, number] };
  }));
}

/**
 * Issue 18's scans, generated: a page of real text (Helvetica 11 pt) rendered by MuPDF at
 * 300 dpi, then turned into what scanners write. Half-letter pages (1275×1650 px) keep the
 * OCR in the tests quick; every variant holds the same words, so OCR accuracy compares.
 */
export const SCAN_PAGE: [number, number] = [306, 396];
export const SCAN_DPI = 300;
/** gray-gutter: the shadow's width in pixels at SCAN_DPI, from the page's left edge. */
export const GUTTER = 380;

const WORDS = 'the invoice for services rendered in march was paid by bank transfer on the fifth of april please keep this letter with your records total amount due includes value added tax at the standard rate our reference number appears above quote it in every reply customer service can be reached weekdays between nine and five thank you for your business delivery address account holder signature date received approved'.split(' ');


/** Lines of words (about 44 characters each), the same for a seed. */
export function scanLines(count: number, seed = 1): string[] {
  const r = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    let line = i === 0 ? `Ref ${1000 + seed * 37}` : '';
    while (line.length < 40) line += (line ? ' ' : '') + WORDS[Math.floor(r() * WORDS.length)]!;
    return line;
  });
}

export interface TextLayout {
  lines: string[];
  /** Distance of the first baseline from the top of the page, in points. */
  top: number;
}

function textContent(l: TextLayout, invisible: boolean): string {
  const [, ph] = SCAN_PAGE;
  return l.lines.map((line, i) => `BT ${invisible ? '3 Tr ' : ''}/F1 11 Tf 30 ${ph - l.top - i * 15} Td (${line}) Tj ET\n`).join('');
}

/** The text page rendered at 300 dpi in gray: one byte a pixel, 0 ink, 255 paper. */
export function renderTextPage(l: TextLayout): { w: number; h: number; px: Uint8Array } {
  const doc = new mupdf.PDFDocument();
  const font = doc.addSimpleFont(new mupdf.Font('Helvetica'));
  const res = doc.newDictionary();
  const fonts = doc.newDictionary();
  fonts.put('F1', font);
  res.put('Font', fonts);
  doc.insertPage(-1, doc.addPage([0, 0, ...SCAN_PAGE], 0, res, textContent(l, false)));
  const page = doc.loadPage(0);
  const pix = page.toPixmap(mupdf.Matrix.scale(SCAN_DPI / 72, SCAN_DPI / 72), mupdf.ColorSpace.DeviceGray, false);
  const [w, h, stride] = [pix.getWidth(), pix.getHeight(), pix.getStride()];
  const src = pix.getPixels();
  const px = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) px.set(src.subarray(y * stride, y * stride + w), y * w);
  pix.destroy();
  page.destroy();
  doc.destroy();
  return { w, h, px };
}

export type ScanVariant = 'bilevel' | 'stencil' | 'decode-inverted' | 'indexed' | 'gray-jpeg' | 'gray-icc' | 'gray-photo' | 'gray-gutter' | 'colour';

export interface ScanFixture {
  pdf: Buffer;
  layout: TextLayout;
  /** Colour variant: where the red stamp's ring passes (pixels at 300 dpi, x, y). */
  stamp?: { x: number; y: number };
  /** Colour variant: the photo's box in pixels at 300 dpi. */
  photo?: { x: number; y: number; w: number; h: number };
}

/**
 * One page, one scan of the text drawn over the whole page, optionally with an invisible OCR
 * text layer (3 Tr) of the same lines. Variants:
 * - bilevel: 1-bit DeviceGray, Flate (as scanners without CCITT write it);
 * - stencil: the same bits as an /ImageMask painted dark blue; decode-inverted: samples
 *   inverted with /Decode [1 0]; indexed: a 2-colour /Indexed palette (ink and cream);
 * - gray-jpeg: gray with scanner noise and a grayish paper, JPEG q85;
 * - gray-icc: the same gray, Flate, under an ICCBased N=1 profile;
 * - gray-photo: gray JPEG with a gray photo above the text and a shaded band behind three lines;
 * - gray-gutter: gray JPEG of a book page: a gutter's shadow darkens its left 1.3 inches to 30 % of
 *   the paper, over the start of every line (it passed for a photo: the text in it stayed blurred);
 * - colour: cream paper, dark ink, a red stamp and a colour photo, RGB JPEG q85.
 */
export function scanFixture(variant: ScanVariant, opts: { ocrLayer?: boolean; seed?: number; pages?: number } = {}): ScanFixture {
  const seed = opts.seed ?? 1;
  const withPhoto = variant === 'colour' || variant === 'gray-photo';
  const top = withPhoto ? 110 : 40;
  const layout: TextLayout = { lines: scanLines(withPhoto ? 17 : 22, seed), top };
  const { w, h, px } = renderTextPage(layout);
  const r = rng(seed * 101);
  const doc = new mupdf.PDFDocument();
  const font = doc.addSimpleFont(new mupdf.Font('Helvetica'));
  const fixture: ScanFixture = { pdf: Buffer.alloc(0), layout };
  let image: mupdf.PDFObject;
  const dict = (extra: Record<string, unknown>) => ({ Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: w, Height: h, ...extra });
  if (variant === 'bilevel' || variant === 'stencil' || variant === 'decode-inverted' || variant === 'indexed') {
    const row = Math.ceil(w / 8);
    const bits = new Uint8Array(row * h);
    const inverted = variant === 'decode-inverted';
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((px[y * w + x]! >= 128) !== inverted) bits[y * row + (x >> 3)]! |= 0x80 >> (x & 7);
    if (variant === 'stencil') {
      // Stencil: sample 0 paints; ink pixels are 0 already.
      image = doc.addRawStream(deflateSync(bits), dict({ ImageMask: true, Filter: doc.newName('FlateDecode') }));
    } else if (variant === 'indexed') {
      const cs = doc.newArray();
      cs.push(doc.newName('Indexed'));
      cs.push(doc.newName('DeviceRGB'));
      cs.push(1);
      cs.push(doc.newByteString([20, 30, 90, 250, 245, 225]));
      image = doc.addRawStream(deflateSync(bits), dict({ ColorSpace: cs, BitsPerComponent: 1, Filter: doc.newName('FlateDecode') }));
    } else {
      const extra: Record<string, unknown> = { ColorSpace: doc.newName('DeviceGray'), BitsPerComponent: 1, Filter: doc.newName('FlateDecode') };
      if (inverted) { const d = doc.newArray(); d.push(1); d.push(0); extra.Decode = d; }
      image = doc.addRawStream(deflateSync(bits), dict(extra));
    }
  } else if (variant === 'gray-jpeg' || variant === 'gray-icc' || variant === 'gray-photo' || variant === 'gray-gutter') {
    const gray = new Uint8Array(w * h);
    const shadow = (x: number) => (variant === 'gray-gutter' && x < GUTTER ? 0.3 + 0.7 * (x / GUTTER) ** 0.8 : 1);
    for (let i = 0; i < gray.length; i++) gray[i] = Math.max(0, Math.min(255, Math.round((18 + (px[i]! / 255) * 214) * shadow(i % w) + (r() - 0.5) * 22)));
    if (variant === 'gray-photo') {
      const ph = { x: 760, y: 60, w: 440, h: 300 };
      const photo = photoPixels(ph.w, ph.h, 1, seed + 3);
      for (let y = 0; y < ph.h; y++) gray.set(photo.subarray(y * ph.w, (y + 1) * ph.w), (ph.y + y) * w + ph.x);
      // A form field's shading behind lines 8–10: the paper 55 levels darker, ink on it.
      const [y0, y1] = [Math.round(((top + 7 * 15 - 11) * SCAN_DPI) / 72), Math.round(((top + 9 * 15 + 4) * SCAN_DPI) / 72)];
      for (let y = y0; y < y1; y++) for (let x = 100; x < w - 100; x++) gray[y * w + x] = Math.round((gray[y * w + x]! * 180) / 235);
      fixture.photo = ph;
    }
    if (variant !== 'gray-icc') {
      const pix = pixmapOf('gray', w, h, gray);
      const jpeg = pix.asJPEG(85, false);
      pix.destroy();
      image = doc.addRawStream(jpeg, dict({ ColorSpace: doc.newName('DeviceGray'), BitsPerComponent: 8, Filter: doc.newName('DCTDecode') }));
    } else {
      const cs = doc.newArray();
      cs.push(doc.newName('ICCBased'));
      cs.push(doc.addStream(grayIccProfile(), { N: 1 }));
      image = doc.addRawStream(deflateSync(gray), dict({ ColorSpace: cs, BitsPerComponent: 8, Filter: doc.newName('FlateDecode') }));
    }
  } else {
    const rgb = new Uint8Array(w * h * 3);
    const paper = [247, 243, 228];
    const ink = [28, 28, 40];
    for (let i = 0; i < w * h; i++) {
      const a = px[i]! / 255;
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.max(0, Math.min(255, Math.round(ink[c]! + (paper[c]! - ink[c]!) * a + (r() - 0.5) * 16)));
    }
    // A colour photo in the top right corner, above the text.
    const ph = { x: 760, y: 60, w: 440, h: 300 };
    const photo = photoPixels(ph.w, ph.h, 3, seed + 3);
    for (let y = 0; y < ph.h; y++) rgb.set(photo.subarray(y * ph.w * 3, (y + 1) * ph.w * 3), ((ph.y + y) * w + ph.x) * 3);
    // A red stamp: a ring and a bar across the text, multiplied onto the page like ink.
    const [cx, cy] = [900, 1250];
    for (let y = cy - 180; y < cy + 180; y++) {
      for (let x = cx - 180; x < cx + 180; x++) {
        const d = Math.hypot(x - cx, y - cy);
        if ((d >= 150 && d <= 172) || (Math.abs(y - cy) <= 22 && d < 150)) {
          const o = (y * w + x) * 3;
          const red = [205, 35, 40];
          for (let c = 0; c < 3; c++) rgb[o + c] = Math.round((rgb[o + c]! * red[c]!) / 255);
        }
      }
    }
    fixture.stamp = { x: cx + 161, y: cy };
    fixture.photo = ph;
    const jpeg = encodeJpeg({ width: w, height: h, components: 3, samples: rgb }, 85);
    image = doc.addRawStream(jpeg, dict({ ColorSpace: doc.newName('DeviceRGB'), BitsPerComponent: 8, Filter: doc.newName('DCTDecode') }));
  }
  const res = doc.newDictionary();
  const fonts = doc.newDictionary();
  fonts.put('F1', font);
  res.put('Font', fonts);
  const xo = doc.newDictionary();
  xo.put('Im0', image);
  res.put('XObject', xo);
  const fill = variant === 'stencil' ? '0.1 0.15 0.45 rg ' : '';
  const content = `q ${fill}${SCAN_PAGE[0]} 0 0 ${SCAN_PAGE[1]} 0 0 cm /Im0 Do Q\n${opts.ocrLayer ? textContent(layout, true) : ''}`;
  for (let p = 0; p < (opts.pages ?? 1); p++) doc.insertPage(-1, doc.addPage([0, 0, ...SCAN_PAGE], 0, res, content));
  const buf = doc.saveToBuffer('compress');
  fixture.pdf = Buffer.from(buf.asUint8Array());
  buf.destroy();
  doc.destroy();
  return fixture;
}

export type OfficeScan = 'yellow-paper' | 'stamp-over-text' | 'red-text' | 'duotone-photo';

/** Page content rendered by MuPDF at 300 dpi as RGB (white paper), rows packed. */
function renderRgbContent(content: string, fontNames: Record<string, string>): { w: number; h: number; px: Uint8Array } {
  const doc = new mupdf.PDFDocument();
  const res = doc.newDictionary();
  const fonts = doc.newDictionary();
  for (const [key, name] of Object.entries(fontNames)) fonts.put(key, doc.addSimpleFont(new mupdf.Font(name)));
  res.put('Font', fonts);
  doc.insertPage(-1, doc.addPage([0, 0, ...SCAN_PAGE], 0, res, content));
  try {
    return renderPageRgb(doc, SCAN_DPI);
  } finally {
    doc.destroy();
  }
}

/** Page 1 of a document rendered by MuPDF as 8-bit RGB, rows packed. */
export function renderPageRgb(doc: mupdf.Document, dpi: number): { w: number; h: number; px: Uint8Array } {
  const page = doc.loadPage(0);
  const pix = page.toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceRGB, false);
  const [w, h, stride] = [pix.getWidth(), pix.getHeight(), pix.getStride()];
  const src = pix.getPixels();
  const px = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) px.set(src.subarray(y * stride, y * stride + w * 3), y * w * 3);
  pix.destroy();
  page.destroy();
  return { w, h, px };
}

/**
 * Colour office scans unlike `colour` (found by issue 18's matrix of scans no fixture had):
 * - yellow-paper: black text on yellow paper (was left a picture: every pixel of the paper
 *   counted as colour, so the page was "busy" everywhere);
 * - stamp-over-text: a red RECEIVED stamp, rotated, its large letters over eight lines of text
 *   (was taken for a picture: the text under it stayed in the 100-ppi background);
 * - red-text: the last six lines in red (the spot layer's closing filled the red letters' counters);
 * - duotone-photo: twelve lines over a photo in shades of one blue (its one colour passed for a
 *   stamp's, and the photo was split into masks the check then refused: the page fell back to JPEG).
 * Ink is multiplied onto the paper as a scanner sees it; noise, RGB JPEG q85. `box`: the stamp's
 * or the red lines' box in pixels at 300 dpi.
 */
export function officeScan(kind: OfficeScan, seed = 1): ScanFixture & { box?: { x: number; y: number; w: number; h: number } } {
  const layout: TextLayout = { lines: scanLines(kind === 'duotone-photo' ? 12 : 22, seed), top: 40 };
  const [, ph] = SCAN_PAGE;
  const red = kind === 'red-text' ? 16 : layout.lines.length;
  const content = layout.lines.map((line, i) => `BT ${i >= red ? '0.7 0.1 0.1' : '0.08 0.08 0.1'} rg /F1 11 Tf 30 ${ph - layout.top - i * 15} Td (${line}) Tj ET\n`).join('');
  const text = renderRgbContent(content, { F1: 'Helvetica' });
  const { w, h } = text;
  const px = text.px;
  let box: { x: number; y: number; w: number; h: number } | undefined;
  if (kind === 'stamp-over-text') {
    // Drawn apart and multiplied on: stamp ink over printed text shows the text through it.
    const stamp = renderRgbContent('q 0.8 0.1 0.15 rg 0.8 0.1 0.15 RG 2.5 w 0.966 0.259 -0.259 0.966 95 170 cm 0 0 150 44 re S BT /F2 24 Tf 2 Tr 0.8 w 10 13 Td (RECEIVED) Tj ET Q', { F2: 'Helvetica-Bold' });
    for (let i = 0; i < px.length; i++) px[i] = Math.round((px[i]! * stamp.px[i]!) / 255);
    box = { x: 380, y: 590, w: 620, h: 370 };
  }
  if (kind === 'duotone-photo') {
    // Shades of one blue, multiplied onto the paper below the text.
    box = { x: 125, y: 960, w: 1025, h: 625 };
    const photo = photoPixels(box.w, box.h, 1, seed + 5);
    const blue = [20, 45, 120];
    for (let y = 0; y < box.h; y++) {
      for (let x = 0; x < box.w; x++) {
        const v = photo[y * box.w + x]! / 255;
        const o = ((box.y + y) * w + box.x + x) * 3;
        for (let c = 0; c < 3; c++) px[o + c] = Math.round(blue[c]! + (255 - blue[c]!) * v);
      }
    }
  }
  if (kind === 'red-text') box = { x: 125, y: Math.round(((layout.top + red * 15 - 11) * SCAN_DPI) / 72), w: 900, h: Math.round((6 * 15 * SCAN_DPI) / 72) };
  const paper = kind === 'yellow-paper' ? [250, 235, 150] : [247, 245, 238];
  const r = rng(seed * 131);
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = Math.max(0, Math.min(255, Math.round((px[i]! * paper[i % 3]!) / 255 + (r() - 0.5) * 16)));
  const jpeg = encodeJpeg({ width: w, height: h, components: 3, samples: rgb }, 85);
  const doc = new mupdf.PDFDocument();
  const image = doc.addRawStream(jpeg, { Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: w, Height: h, BitsPerComponent: 8, ColorSpace: doc.newName('DeviceRGB'), Filter: doc.newName('DCTDecode') });
  const res = doc.newDictionary();
  const xo = doc.newDictionary();
  xo.put('Im0', image);
  res.put('XObject', xo);
  doc.insertPage(-1, doc.addPage([0, 0, ...SCAN_PAGE], 0, res, `q ${SCAN_PAGE[0]} 0 0 ${SCAN_PAGE[1]} 0 0 cm /Im0 Do Q\n`));
  const buf = doc.saveToBuffer('compress');
  const pdf = Buffer.from(buf.asUint8Array());
  buf.destroy();
  doc.destroy();
  return { pdf, layout, ...(box ? { box } : {}) };
}
