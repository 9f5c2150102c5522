import { deflateSync } from 'node:zlib';
import * as mupdf from 'mupdf';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/**
 * OCR inputs with known text, generated on the fly: text is typeset with pdf-lib, rendered
 * by MuPDF to gray pixels at 300 dpi (a clean scan, no text layer), and packed as PNG, JPEG,
 * TIFF, WebP or an image-only PDF. Pages are short (a few lines on a strip of paper) because
 * OCR costs ~1–3 s per page per thread.
 */
export const PAGE_LINES: string[][] = [
  ['Invoice 2024-117 from Northwind Traders', 'The quick brown fox jumps over the lazy dog.', 'Payment is due within thirty days of delivery.', 'Questions? Write to billing at northwind.'],
  ['Second page of the scanned letter', 'Please find enclosed the signed agreement.', 'We look forward to working with you again.', 'Kind regards, Maria Gonzalez'],
];

export const PAGE_SIZE: [number, number] = [595, 230];

/** A born-digital PDF with the given lines per page (Helvetica 13 pt). */
export async function typesetPdf(pages: string[][] = PAGE_LINES, size: [number, number] = PAGE_SIZE): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage(size);
    lines.forEach((line, i) => page.drawText(line, { x: 48, y: size[1] - 50 - i * 36, size: 13, font }));
  }
  return Buffer.from(await doc.save());
}

export interface Scan {
  width: number;
  height: number;
  dpi: number;
  /** Gray samples, one byte per pixel. */
  gray: Uint8Array;
  png: Buffer;
  jpeg: Buffer;
}

/** Renders every page of a PDF like a 300-dpi gray scanner would. */
export function scanPdf(pdf: Buffer, dpi = 300): Scan[] {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  const scans: Scan[] = [];
  for (let i = 0; i < doc.countPages(); i++) {
    const pix = doc.loadPage(i).toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceGray, false, true);
    pix.setResolution(dpi, dpi);
    scans.push({ width: pix.getWidth(), height: pix.getHeight(), dpi, gray: Uint8Array.from(pix.getPixels()), png: Buffer.from(pix.asPNG()), jpeg: Buffer.from(pix.asJPEG(85)) });
  }
  doc.destroy();
  return scans;
}

/** An image-only PDF (what a scanner makes): each scan as a JPEG filling its page, no text. */
export function imagePdf(scans: Scan[]): Buffer {
  const doc = new mupdf.PDFDocument();
  for (const s of scans) {
    const ref = doc.addImage(new mupdf.Image(s.jpeg));
    const w = (s.width * 72) / s.dpi;
    const h = (s.height * 72) / s.dpi;
    doc.insertPage(-1, doc.addPage([0, 0, w, h], 0, { XObject: { Im0: ref } }, `q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`));
  }
  return Buffer.from(doc.saveToBuffer('compress').asUint8Array());
}

/** A PDF whose first page is born-digital text and whose second is a scan of other text. */
export async function mixedPdf(textLines: string[], scan: Scan): Promise<Buffer> {
  const text = await PDFDocument.load(await typesetPdf([textLines]));
  const scanned = await PDFDocument.load(imagePdf([scan]));
  const [copied] = await text.copyPages(scanned, [0]);
  text.addPage(copied!);
  return Buffer.from(await text.save());
}

/** A multi-page gray TIFF (Deflate-compressed strips, resolution tags), one page per scan. */
export function tiff(scans: Scan[]): Buffer {
  const parts: Buffer[] = [];
  let offset = 8;
  const header = Buffer.alloc(8);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  parts.push(header);
  const ifdOffsets: number[] = [];
  const patches: { at: number; value: number }[] = [];
  for (const s of scans) {
    const data = deflateSync(s.gray);
    const dataAt = offset;
    parts.push(data);
    offset += data.length + (data.length % 2);
    if (data.length % 2) parts.push(Buffer.alloc(1));
    const resAt = offset;
    const res = Buffer.alloc(16);
    res.writeUInt32LE(s.dpi, 0); res.writeUInt32LE(1, 4); res.writeUInt32LE(s.dpi, 8); res.writeUInt32LE(1, 12);
    parts.push(res);
    offset += 16;
    // tag, type (3 short, 4 long, 5 rational), count, value
    const tags: [number, number, number, number][] = [
      [256, 4, 1, s.width], [257, 4, 1, s.height], [258, 3, 1, 8], [259, 3, 1, 8], [262, 3, 1, 1],
      [273, 4, 1, dataAt], [277, 3, 1, 1], [278, 4, 1, s.height], [279, 4, 1, data.length],
      [282, 5, 1, resAt], [283, 5, 1, resAt + 8], [296, 3, 1, 2],
    ];
    const ifd = Buffer.alloc(2 + tags.length * 12 + 4);
    ifd.writeUInt16LE(tags.length, 0);
    tags.forEach(([tag, type, count, value], i) => {
      const at = 2 + i * 12;
      ifd.writeUInt16LE(tag, at); ifd.writeUInt16LE(type, at + 2); ifd.writeUInt32LE(count, at + 4);
      if (type === 3) ifd.writeUInt16LE(value, at + 8); else ifd.writeUInt32LE(value, at + 8);
    });
    ifdOffsets.push(offset);
    patches.push({ at: offset + 2 + tags.length * 12, value: 0 });
    parts.push(ifd);
    offset += ifd.length;
  }
  const out = Buffer.concat(parts);
  out.writeUInt32LE(ifdOffsets[0]!, 4);
  ifdOffsets.forEach((_, i) => out.writeUInt32LE(ifdOffsets[i + 1] ?? 0, patches[i]!.at));
  return out;
}

/**
 * A lossless WebP (VP8L) of a scan thresholded to black and white. Two gray levels fit
 * VP8L's "simple" prefix codes (one bit per channel per pixel), so this encoder is a few
 * lines and needs no library; libwebp and Leptonica decode it like any WebP.
 */
export function webp(scan: Scan): Buffer {
  const bits: number[] = [];
  let acc = 0;
  let n = 0;
  const put = (value: number, count: number) => {
    for (let i = 0; i < count; i++) {
      acc |= ((value >>> i) & 1) << n;
      if (++n === 8) { bits.push(acc); acc = 0; n = 0; }
    }
  };
  put(0x2f, 8);
  put(scan.width - 1, 14); put(scan.height - 1, 14); put(0, 1); put(0, 3);
  put(0, 1); // no transform
  put(0, 1); // no colour cache
  put(0, 1); // no meta prefix codes
  const twoSymbols = () => { put(1, 1); put(1, 1); put(1, 1); put(0, 8); put(255, 8); }; // simple code: symbols 0 and 255
  twoSymbols(); twoSymbols(); twoSymbols(); // green, red, blue
  put(1, 1); put(0, 1); put(1, 1); put(255, 8); // alpha: the single symbol 255 (0 bits per pixel)
  put(1, 1); put(0, 1); put(0, 1); put(0, 1); // distance: the single symbol 0 (unused)
  for (const v of scan.gray) { const b = v < 160 ? 0 : 1; put(b, 1); put(b, 1); put(b, 1); }
  if (n) bits.push(acc);
  const data = Buffer.from(bits);
  const chunk = Buffer.alloc(8);
  chunk.write('VP8L', 0, 'latin1');
  chunk.writeUInt32LE(data.length, 4);
  const pad = Buffer.alloc(data.length % 2);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + 8 + data.length + pad.length, 4);
  riff.write('WEBP', 8, 'latin1');
  return Buffer.concat([riff, chunk, data, pad]);
}

/** Share of `expected`'s characters found in order in `actual` (1 − edit distance / length), spaces collapsed. */
export function charAccuracy(expected: string, actual: string): number {
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
  const a = norm(expected);
  const b = norm(actual);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return a.length ? Math.max(0, 1 - prev[b.length]! / a.length) : 1;
}

/**
 * A scan turned by `degrees` clockwise as a scanner would lay it (sharp, white fill): 90,
 * 180 and 270 turn the page sideways or upside down; small angles skew it (the canvas grows
 * to hold the turned page). Gray PNG at the scan's dpi.
 */
export async function turnedScan(scan: Scan, degrees: number): Promise<Scan> {
  const sharp = (await import('sharp')).default;
  const { data, info } = await sharp(Buffer.from(scan.gray), { raw: { width: scan.width, height: scan.height, channels: 1 } })
    .rotate(degrees, { background: { r: 255, g: 255, b: 255 } })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const gray = info.channels === 1 ? new Uint8Array(data) : Uint8Array.from({ length: info.width * info.height }, (_, i) => data[i * info.channels]!);
  const png = await sharp(Buffer.from(gray), { raw: { width: info.width, height: info.height, channels: 1 } }).withMetadata({ density: scan.dpi }).png().toBuffer();
  const jpeg = await sharp(Buffer.from(gray), { raw: { width: info.width, height: info.height, channels: 1 } }).withMetadata({ density: scan.dpi }).jpeg({ quality: 85 }).toBuffer();
  return { width: info.width, height: info.height, dpi: scan.dpi, gray, png, jpeg };
}

/** A denser page (a letter's worth of lines, A5 width) for orientation and skew tests: OSD needs enough text to be sure. */
export const LETTER_LINES: string[] = [
  'Dear Mr. Thompson, thank you for your letter of March 3.',
  'We have reviewed the contract and agree with most terms.',
  'The delivery schedule in section four needs one change:',
  'the second shipment should arrive before the end of June.',
  'Our warehouse in Rotterdam will be closed during July.',
  'Please send the revised draft to our legal department,',
  'who will confirm the changes within two working days.',
  'The invoice for the first order is attached to this letter.',
  'Payment will follow within thirty days of its receipt.',
  'We look forward to a long and successful cooperation.',
  'With kind regards, Elisabeth Moreau, Purchasing Manager',
];
export const LETTER_SIZE: [number, number] = [500, 460];
