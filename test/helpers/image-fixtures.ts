import { existsSync, readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import * as mupdf from 'mupdf';
import { encodeJpeg } from './baseline-jpeg.js';

/**
 * Image PDFs built on the fly with MuPDF's object API, so each fixture holds exactly the
 * structure a compressor must cope with (soft masks, forms, CMYK, 1-bit, Decode arrays…).
 * Pixels are seeded pseudo-random "photos": smooth gradients plus sensor-like noise, which
 * JPEG-compress like real photographs rather than like flat test patterns.
 */

type Cs = 'gray' | 'rgb' | 'cmyk';
const N: Record<Cs, number> = { gray: 1, rgb: 3, cmyk: 4 };
const CS_NAME: Record<Cs, string> = { gray: 'DeviceGray', rgb: 'DeviceRGB', cmyk: 'DeviceCMYK' };

/** A small seeded generator (mulberry32): the same fixtures on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Photo-like samples: per-channel sinusoid gradients, a few soft blobs and ±noise. Every term
 * is separable in x and y, so a 1800×1200 image takes ~60 ms instead of ~1 s.
 */
export function photoPixels(w: number, h: number, n: number, seed = 1, noise = 14): Uint8Array {
  const r = rng(seed);
  const sx = Array.from({ length: n }, () => { const f = 1 + r() * 4, ph = r() * 6.28; return Float32Array.from({ length: w }, (_, x) => Math.sin((x / w) * f * 3.14 + ph)); });
  const sy = Array.from({ length: n }, () => { const f = 1 + r() * 4; return Float32Array.from({ length: h }, (_, y) => 90 * Math.cos((y / h) * f * 3.14)); });
  const blobs = Array.from({ length: 6 }, () => {
    const bx = r() * w, by = r() * h, s = (0.05 + r() * 0.15) * w, v = r() * 120 - 60;
    return { ex: Float32Array.from({ length: w }, (_, x) => v * Math.exp(-((x - bx) ** 2) / (2 * s * s))), ey: Float32Array.from({ length: h }, (_, y) => Math.exp(-((y - by) ** 2) / (2 * s * s))) };
  });
  // Clamped: out-of-range sums saturate like an overexposed photo instead of wrapping.
  const out = new Uint8ClampedArray(w * h * n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let b = 0;
      for (const bl of blobs) b += bl.ex[x]! * bl.ey[y]!;
      for (let c = 0; c < n; c++) out[(y * w + x) * n + c] = 128 + sx[c]![x]! * sy[c]![y]! + b + (r() - 0.5) * noise;
    }
  }
  return new Uint8Array(out.buffer);
}

/** A gray page scan: white paper, dark "text lines" and a little scanner noise. */
export function scanPixels(w: number, h: number, seed = 2): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(w * h);
  const lineH = Math.max(8, Math.round(h / 60));
  for (let y = 0; y < h; y++) {
    const inLine = y % (lineH * 2) < lineH && y > h * 0.08 && y < h * 0.92;
    for (let x = 0; x < w; x++) {
      const ink = inLine && x > w * 0.1 && x < w * 0.9 && Math.sin(x * 0.37 + y * 0.11) > 0.2;
      out[y * w + x] = ink ? 30 + r() * 30 : 235 + r() * 18;
    }
  }
  return out;
}

function pixmapOf(cs: Cs, w: number, h: number, data: Uint8Array): mupdf.Pixmap {
  const space = cs === 'gray' ? mupdf.ColorSpace.DeviceGray : cs === 'rgb' ? mupdf.ColorSpace.DeviceRGB : mupdf.ColorSpace.DeviceCMYK;
  const pix = new mupdf.Pixmap(space, [0, 0, w, h], false);
  pix.getPixels().set(data);
  return pix;
}

export interface ImageSpec {
  w: number;
  h: number;
  cs: Cs;
  /** 'jpeg' (DCTDecode at `quality`) or 'flate' (lossless). */
  encoding: 'jpeg' | 'flate';
  quality?: number;
  seed?: number;
  scan?: boolean;
  /** A soft mask of the same size (a radial fade). */
  smask?: boolean;
  decode?: number[];
  /** ICCBased colour space from this profile file instead of a Device space. */
  icc?: string;
}

/** Adds an image XObject and returns its indirect reference. */
export function addImage(doc: mupdf.PDFDocument, s: ImageSpec): mupdf.PDFObject {
  const n = N[s.cs];
  const px = s.scan ? scanPixels(s.w, s.h, s.seed) : photoPixels(s.w, s.h, n, s.seed ?? 1);
  const dict = doc.newDictionary();
  dict.put('Type', doc.newName('XObject'));
  dict.put('Subtype', doc.newName('Image'));
  dict.put('Width', s.w);
  dict.put('Height', s.h);
  dict.put('BitsPerComponent', 8);
  if (s.icc) {
    const profile = doc.addStream(readFileSync(s.icc), { N: n });
    const arr = doc.newArray();
    arr.push(doc.newName('ICCBased'));
    arr.push(profile);
    dict.put('ColorSpace', arr);
  } else {
    dict.put('ColorSpace', doc.newName(CS_NAME[s.cs]));
  }
  if (s.decode) {
    const d = doc.newArray();
    for (const v of s.decode) d.push(v);
    dict.put('Decode', d);
  }
  if (s.smask) dict.put('SMask', addSoftMask(doc, s.w, s.h));
  let data: Uint8Array;
  if (s.encoding === 'jpeg' && s.cs === 'rgb') {
    // Baseline 4:2:0, as cameras write them (MuPDF's own writer is progressive 4:4:4).
    data = encodeJpeg({ width: s.w, height: s.h, components: 3, samples: px }, s.quality ?? 92);
    dict.put('Filter', doc.newName('DCTDecode'));
  } else if (s.encoding === 'jpeg') {
    const pix = pixmapOf(s.cs, s.w, s.h, px);
    data = pix.asJPEG(s.quality ?? 92, false);
    pix.destroy();
    dict.put('Filter', doc.newName('DCTDecode'));
  } else {
    data = deflateSync(px);
    dict.put('Filter', doc.newName('FlateDecode'));
  }
  return doc.addRawStream(data, dict);
}

function addSoftMask(doc: mupdf.PDFDocument, w: number, h: number): mupdf.PDFObject {
  const a = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) a[y * w + x] = Math.max(0, 255 - Math.hypot(x - w / 2, y - h / 2) * (400 / w));
  return doc.addRawStream(deflateSync(a), { Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: w, Height: h, ColorSpace: doc.newName('DeviceGray'), BitsPerComponent: 8, Filter: doc.newName('FlateDecode') });
}

/** A 1-bit image (a text-like pattern), flate-compressed as scanners without CCITT write it. */
export function addBitonal(doc: mupdf.PDFDocument, w: number, h: number): mupdf.PDFObject {
  const row = Math.ceil(w / 8);
  const bits = new Uint8Array(row * h).fill(0xff);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (y % 40 < 14 && Math.sin(x * 0.3) > 0.3) bits[y * row + (x >> 3)]! &= ~(0x80 >> (x & 7));
  return doc.addRawStream(deflateSync(bits), { Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: w, Height: h, ColorSpace: doc.newName('DeviceGray'), BitsPerComponent: 1, Filter: doc.newName('FlateDecode') });
}

export { pixmapOf, CS_NAME };
export const SRGB_ICC = ['/usr/share/color/icc/ghostscript/srgb.icc', '/usr/share/color/icc/sRGB.icc'].find((p) => existsSync(p));

export interface Draw {
  ref: mupdf.PDFObject;
  x: number;
  y: number;
  w: number;
  h: number;
  /** For a form XObject: its BBox size, so the draw scales it to w×h. */
  form?: { w: number; h: number };
}

export interface PageSpec {
  text?: string[];
  draws?: Draw[];
  size?: [number, number];
}

/** A form XObject that shows `image` filling its w×h bounding box. */
export function addForm(doc: mupdf.PDFDocument, image: mupdf.PDFObject, w: number, h: number): mupdf.PDFObject {
  const res = doc.newDictionary();
  const xo = doc.newDictionary();
  xo.put('Im0', image);
  res.put('XObject', xo);
  const bbox = doc.newArray();
  for (const v of [0, 0, w, h]) bbox.push(v);
  return doc.addStream(`q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`, { Type: doc.newName('XObject'), Subtype: doc.newName('Form'), BBox: bbox, Resources: res });
}

/** Assembles pages (text lines in Helvetica plus image/form draws) and returns the PDF bytes. */
export function buildPdf(build: (doc: mupdf.PDFDocument) => PageSpec[]): Buffer {
  const doc = new mupdf.PDFDocument();
  const font = doc.addSimpleFont(new mupdf.Font('Helvetica'));
  for (const spec of build(doc)) {
    const [pw, ph] = spec.size ?? [595, 842];
    const res = doc.newDictionary();
    const fonts = doc.newDictionary();
    fonts.put('F1', font);
    res.put('Font', fonts);
    const xo = doc.newDictionary();
    let content = '';
    (spec.draws ?? []).forEach((d, i) => {
      xo.put(`X${i}`, d.ref);
      const [sx, sy] = d.form ? [d.w / d.form.w, d.h / d.form.h] : [d.w, d.h];
      content += `q ${sx} 0 0 ${sy} ${d.x} ${d.y} cm /X${i} Do Q\n`;
    });
    res.put('XObject', xo);
    (spec.text ?? []).forEach((line, i) => {
      content += `BT /F1 11 Tf 40 ${ph - 30 - i * 14} Td (${line.replace(/[()\\]/g, '')}) Tj ET\n`;
    });
    doc.insertPage(-1, doc.addPage([0, 0, pw, ph], 0, res, content));
  }
  const buf = doc.saveToBuffer('compress');
  const out = Buffer.from(buf.asUint8Array());
  buf.destroy();
  doc.destroy();
  return out;
}

const words = (page: number) => [`Page ${page + 1} caption: photographs of the survey site`, `Figure ${page + 1} shows sample ${page * 7 + 3} at noon`];

/** Camera-like photos: 1800×1200 RGB JPEG q92 shown at 5×3.3 in (≈360 ppi), one per page. */
export function photoPdf(pages = 3, px: [number, number] = [1800, 1200]): Buffer {
  return buildPdf((doc) =>
    Array.from({ length: pages }, (_, p) => ({
      text: words(p),
      draws: [{ ref: addImage(doc, { w: px[0], h: px[1], cs: 'rgb', encoding: 'jpeg', quality: 92, seed: p + 1 }), x: 60, y: 300, w: 360, h: 240 }],
    })),
  );
}

/** Lossless (Flate) RGB photos, as PNG-to-PDF tools write them. */
export function flatePhotoPdf(pages = 2): Buffer {
  return buildPdf((doc) =>
    Array.from({ length: pages }, (_, p) => ({ text: words(p), draws: [{ ref: addImage(doc, { w: 1200, h: 900, cs: 'rgb', encoding: 'flate', seed: 10 + p }), x: 40, y: 200, w: 400, h: 300 }] })),
  );
}

/** A 300-ppi gray page scan (A4 at 300 ppi is 2480×3508; a quarter of that keeps tests quick). */
export function grayScanPdf(pages = 2): Buffer {
  return buildPdf((doc) =>
    Array.from({ length: pages }, (_, p) => ({ text: [`Scanned page ${p + 1}`], draws: [{ ref: addImage(doc, { w: 1240, h: 1754, cs: 'gray', encoding: 'flate', scan: true, seed: p }), x: 0, y: 0, w: 595, h: 842 }] })),
  );
}

/** A 1-bit 300-ppi page scan. */
export function bitonalScanPdf(): Buffer {
  return buildPdf((doc) => [{ text: ['Bitonal scan'], draws: [{ ref: addBitonal(doc, 2480, 3508), x: 0, y: 0, w: 595, h: 842 }] }]);
}

/** One CMYK Flate image and one CMYK JPEG. */
export function cmykPdf(): Buffer {
  return buildPdf((doc) => [
    { text: ['CMYK flate'], draws: [{ ref: addImage(doc, { w: 1000, h: 800, cs: 'cmyk', encoding: 'flate', seed: 5 }), x: 50, y: 300, w: 300, h: 240 }] },
    { text: ['CMYK jpeg'], draws: [{ ref: addImage(doc, { w: 1000, h: 800, cs: 'cmyk', encoding: 'jpeg', quality: 95, seed: 6 }), x: 50, y: 300, w: 300, h: 240 }] },
  ]);
}

/** An RGB photo with a soft mask, an ICC-based photo and a photo with an inverting Decode array. */
export function maskedPdf(): Buffer {
  return buildPdf((doc) => [
    { text: ['Soft mask'], draws: [{ ref: addImage(doc, { w: 1200, h: 900, cs: 'rgb', encoding: 'flate', smask: true, seed: 7 }), x: 50, y: 300, w: 300, h: 225 }] },
    { text: ['ICC and Decode'], draws: [
      { ref: addImage(doc, { w: 1000, h: 750, cs: 'rgb', encoding: 'jpeg', quality: 95, seed: 8, ...(SRGB_ICC ? { icc: SRGB_ICC } : {}) }), x: 50, y: 450, w: 240, h: 180 },
      { ref: addImage(doc, { w: 1000, h: 750, cs: 'gray', encoding: 'flate', seed: 9, decode: [1, 0] }), x: 300, y: 450, w: 240, h: 180 },
    ] },
  ]);
}

/** The same image drawn small on page 1 and large on page 2, and an image inside a form XObject. */
export function sharedAndFormPdf(): Buffer {
  return buildPdf((doc) => {
    const shared = addImage(doc, { w: 1600, h: 1200, cs: 'rgb', encoding: 'jpeg', quality: 92, seed: 11 });
    const inner = addImage(doc, { w: 1600, h: 1200, cs: 'rgb', encoding: 'jpeg', quality: 92, seed: 12 });
    const form = addForm(doc, inner, 200, 150);
    return [
      { text: ['Thumbnail'], draws: [{ ref: shared, x: 50, y: 600, w: 100, h: 75 }] },
      { text: ['Full width'], draws: [{ ref: shared, x: 20, y: 200, w: 555, h: 416 }] },
      { text: ['Inside a form'], draws: [{ ref: form, x: 50, y: 300, w: 200, h: 150, form: { w: 200, h: 150 } }] },
    ];
  });
}

/** A small, already well-compressed JPEG at its display resolution: nothing to gain. */
export function tinyJpegPdf(): Buffer {
  return buildPdf((doc) => [{ text: ['Tiny'], draws: [{ ref: addImage(doc, { w: 150, h: 100, cs: 'rgb', encoding: 'jpeg', quality: 40, seed: 13 }), x: 100, y: 500, w: 150, h: 100 }] }]);
}
