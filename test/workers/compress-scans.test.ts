/**
 * Issue #17's report, rebuilt: 9 pages of text with a gray Flate scan on page 2 and a gray
 * JPEG scan with an ICC profile on page 7, both 2550×3300 at 300 ppi. At `medium` every page
 * must render as the input's (the old engine garbled page 7 and checked only pages 1, 2, 5
 * and 9), both scans must be recompressed, and the result must beat the input by far.
 * MuPDF only (empty PATH).
 */
process.env.PATH = '';
import t from 'tap';
import { issuePdf } from '../helpers/scan-fixtures.js';
import { compressBytes, pageCount, pageTexts, renderGray } from './compress-helpers.js';
import { maxBlockDiff, meanDiff } from '../../workers/compress/validate.js';

t.test('the reported 9-page file at medium: every page as the input, both scans smaller', async (t) => {
  const input = issuePdf();
  const { out, result } = await compressBytes(t, input, { compressionLevel: 'medium' });
  t.equal(result.engine, 'mupdf');
  t.equal(result.images.recompressed, 2, JSON.stringify(result.candidates));
  t.ok(out.length < input.length / 4, `${out.length} < a quarter of ${input.length}`);
  t.equal(pageCount(out), 9);
  t.same(pageTexts(out), pageTexts(input));
  for (let i = 0; i < 9; i++) {
    const [a, b] = [renderGray(input, i, 50), renderGray(out, i, 50)];
    const [block, mean] = [maxBlockDiff(a, b), meanDiff(a.px, b.px)];
    // At 50 dpi a 150-ppi rewrite of a 300-ppi scan differs by JPEG noise only (measured ≤ 6
    // in a block, mean ≤ 3); the garbled page of the report had a mean difference of 24.
    t.ok(block <= 14 && mean <= 4, `page ${i + 1}: block ${block.toFixed(1)}, mean ${mean.toFixed(2)}`);
  }
});

// ── Issue 18: scans made small (G4, bilevel and mixed raster content), still legible ──

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { scanFixture, SCAN_DPI, type ScanVariant } from '../helpers/scan-fixtures.js';
import { imagesOf, mupdf } from './compress-helpers.js';
import { accuracy, ocrPage as ocr, renderRgb, tool, withFile } from '../helpers/scan-tools.js';

/** Page 1 rendered by poppler (an independent CCITT decoder) as 8-bit RGB samples. */
function popplerRgb(bytes: Buffer, dpi = 100): Buffer {
  return withFile(bytes, (file, dir) => {
    tool('pdftoppm', ['-r', String(dpi), '-singlefile', '-f', '1', '-l', '1', file, path.join(dir, 'page')]);
    return Buffer.from(require_ppm(path.join(dir, 'page.ppm')));
  });
}

function require_ppm(file: string): Uint8Array {
  const b = execFileSync('/bin/cat', [file]);
  // P6\n<w> <h>\n255\n then samples
  let nl = 0, i = 0;
  while (nl < 3) if (b[i++] === 0x0a) nl++;
  return b.subarray(i);
}

function pdftotext(bytes: Buffer): string {
  return withFile(bytes, (file) => tool('pdftotext', [file, '-']).replace(/\s+/g, ' ').trim());
}

for (const variant of ['bilevel', 'stencil', 'decode-inverted', 'indexed'] as ScanVariant[]) {
  t.test(`1-bit scan (${variant}) → JBIG2 (G4 when Indexed) at low and medium: the same pixels, smaller, reported bilevel`, async (t) => {
    const { pdf } = scanFixture(variant);
    for (const level of ['low', 'medium'] as const) {
      const { out, result } = await compressBytes(t, pdf, { compressionLevel: level });
      t.ok(out.length < pdf.length, `${level}: ${out.length} < ${pdf.length}`);
      t.equal(result.pages_bilevel, 1, `${level}: reported bilevel`);
      t.equal(result.pages_mrc, 0);
      const imgs = imagesOf(out);
      t.equal(imgs.length, 1);
      t.match(imgs[0]!.filter, variant === 'indexed' ? /CCITTFaxDecode/ : /JBIG2Decode/, `${level}: ${imgs[0]!.filter}`);
      // Exactly the same rendering, by MuPDF and by poppler (each with its own G4 decoder).
      t.ok(Buffer.from(renderRgb(out, 100).px).equals(Buffer.from(renderRgb(pdf, 100).px)), `${level}: MuPDF renders the same pixels`);
      t.ok(popplerRgb(out).equals(popplerRgb(pdf)), `${level}: poppler renders the same pixels`);
    }
  });
}

for (const variant of ['gray-jpeg', 'gray-icc', 'gray-photo'] as ScanVariant[]) {
  t.test(`gray text scan (${variant}) at medium and high: split, gray, far smaller, OCR within a point, text layer kept`, async (t) => {
    const { pdf, layout } = scanFixture(variant, { ocrLayer: true });
    const truth = layout.lines.join('\n');
    const before = accuracy(ocr(pdf), truth);
    const low = await compressBytes(t, pdf, { compressionLevel: 'low' });
    let previous = low.out.length;
    for (const level of ['medium', 'high'] as const) {
      const { out, result } = await compressBytes(t, pdf, { compressionLevel: level });
      // Plain text on paper is bilevel; with a photo and shading it is a mask over a background.
      t.same([result.pages_bilevel, result.pages_mrc], variant === 'gray-photo' ? [0, 1] : [1, 0], `${level}: the page is split (${JSON.stringify(result)})`);
      t.ok(out.length < pdf.length / 8, `${level}: ${out.length} < an eighth of ${pdf.length}`);
      t.ok(out.length <= previous, `${level}: ${out.length} ≤ the level below (${previous})`);
      previous = out.length;
      const after = accuracy(ocr(out), truth);
      t.ok(after >= before - 1, `${level}: OCR accuracy ${after.toFixed(2)} within a point of the input's ${before.toFixed(2)}`);
      t.equal(pdftotext(out), pdftotext(pdf), `${level}: the OCR text layer is kept`);
      // Gray stays gray: no RGB sample in the render differs between channels.
      const { px } = renderRgb(out, 36);
      let colour = 0;
      for (let i = 0; i < px.length; i += 3) if (px[i] !== px[i + 1] || px[i] !== px[i + 2]) colour++;
      t.equal(colour, 0, `${level}: gray`);
    }
  });
}

t.test('colour scan with a red stamp and a photo at medium and high: MRC, stamp keeps its colour (OCR: compress-scans-stamp.test.ts)', async (t) => {
  const { pdf, stamp, photo } = scanFixture('colour', { ocrLayer: true, seed: 2 });
  const low = await compressBytes(t, pdf, { compressionLevel: 'low' });
  let previous = low.out.length;
  for (const level of ['medium', 'high'] as const) {
    const { out, result } = await compressBytes(t, pdf, { compressionLevel: level });
    t.equal(result.pages_mrc, 1, `${level}: MRC (${JSON.stringify(result.candidates)})`);
    t.ok(out.length < pdf.length / 5, `${level}: ${out.length} < a fifth of ${pdf.length}`);
    t.ok(out.length <= previous, `${level}: ${out.length} ≤ the level below (${previous})`);
    previous = out.length;
    t.equal(pdftotext(out), pdftotext(pdf), `${level}: the OCR text layer is kept`);
    const r = renderRgb(out, SCAN_DPI);
    // The stamp's ring: red, as in the input (mean of a 9×9 patch on the ring).
    const mean = (x0: number, y0: number, s: number) => {
      const acc = [0, 0, 0];
      for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s; x++) for (let c = 0; c < 3; c++) acc[c]! += r.px[(y * r.w + x) * 3 + c]!;
      return acc.map((v) => v / (s * s));
    };
    const [R, G, B] = mean(stamp!.x - 4, stamp!.y - 4, 9);
    t.ok(R! > 150 && G! < 90 && B! < 90, `${level}: stamp is red (${[R, G, B].map((v) => v!.toFixed(0))})`);
    // The photo keeps its colours: its mean chroma stays well above the paper's.
    const [pr, pg, pb] = mean(photo!.x + 100, photo!.y + 100, 100);
    const [ir, ig, ib] = (() => { const s = renderRgb(pdf, SCAN_DPI); const acc = [0, 0, 0]; for (let y = photo!.y + 100; y < photo!.y + 200; y++) for (let x = photo!.x + 100; x < photo!.x + 200; x++) for (let c = 0; c < 3; c++) acc[c]! += s.px[(y * s.w + x) * 3 + c]!; return acc.map((v) => v / 1e4); })();
    t.ok(Math.abs(pr! - ir!) < 12 && Math.abs(pg! - ig!) < 12 && Math.abs(pb! - ib!) < 12, `${level}: photo colour ${[pr, pg, pb].map((v) => v!.toFixed(0))} vs ${[ir, ig, ib].map((v) => v!.toFixed(0))}`);
  }
});

t.test('the same scan and options give the same bytes', async (t) => {
  const { pdf } = scanFixture('colour', { seed: 2 });
  const a = await compressBytes(t, pdf, { compressionLevel: 'medium' });
  const b = await compressBytes(t, pdf, { compressionLevel: 'medium' });
  t.ok(a.out.equals(b.out));
});

t.test('a photo filling a page is left to the picture path', async (t) => {
  const { buildPdf, photoPixels, pixmapOf } = await import('../helpers/image-fixtures.js');
  const pdf = buildPdf((doc) => {
    const pix = pixmapOf('rgb', 1275, 1650, photoPixels(1275, 1650, 3, 4));
    const jpeg = pix.asJPEG(90, false);
    pix.destroy();
    const img = doc.addRawStream(jpeg, { Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: 1275, Height: 1650, BitsPerComponent: 8, ColorSpace: doc.newName('DeviceRGB'), Filter: doc.newName('DCTDecode') });
    return [{ size: [306, 396], draws: [{ ref: img, x: 0, y: 0, w: 306, h: 396 }] }];
  });
  const { result } = await compressBytes(t, pdf, { compressionLevel: 'medium' });
  t.equal(result.pages_mrc, 0);
  t.equal(result.pages_bilevel, 0);
  t.equal(result.images.recompressed, 1);
});

t.test('a text scan used as another image\'s soft mask stays an image (only drawn images are split)', async (t) => {
  const { renderTextPage, scanLines } = await import('../helpers/scan-fixtures.js');
  const { buildPdf, photoPixels, pixmapOf } = await import('../helpers/image-fixtures.js');
  const { deflateSync } = await import('node:zlib');
  const text = renderTextPage({ lines: scanLines(22, 3), top: 40 });
  const pdf = buildPdf((doc) => {
    const smask = doc.addRawStream(deflateSync(text.px), { Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: text.w, Height: text.h, BitsPerComponent: 8, ColorSpace: doc.newName('DeviceGray'), Filter: doc.newName('FlateDecode') });
    const pix = pixmapOf('rgb', text.w, text.h, photoPixels(text.w, text.h, 3, 9));
    const jpeg = pix.asJPEG(90, false);
    pix.destroy();
    const img = doc.addRawStream(jpeg, { Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: text.w, Height: text.h, BitsPerComponent: 8, ColorSpace: doc.newName('DeviceRGB'), Filter: doc.newName('DCTDecode'), SMask: smask });
    return [{ size: [306, 396], draws: [{ ref: img, x: 0, y: 0, w: 306, h: 396 }] }];
  });
  const { out, result } = await compressBytes(t, pdf, { compressionLevel: 'medium' });
  t.equal(result.pages_mrc + result.pages_bilevel, 0);
  const check = mupdf.Document.openDocument(out, 'application/pdf').asPDF()!;
  const sm = check.findPage(0).get('Resources').get('XObject').get('X0').get('SMask');
  t.equal(sm.get('Subtype').asName(), 'Image', 'the soft mask is still an image');
  check.destroy();
});

t.test('G4 streams decode back bit for bit, at any width (row padding) and for noise as for text', async (t) => {
  const { encodeG4 } = await import('../../workers/compress/g4.js');
  const { decodesTo, pack } = await import('../../workers/compress/bitonal.js');
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) / 65536;
  for (const [w, h] of [[1, 1], [7, 3], [13, 40], [1001, 77], [64, 64]] as const) {
    const bits = new Uint8Array(w * h).map(() => (rand() < 0.5 ? 1 : 0));
    const g4 = await encodeG4(bits, w, h);
    t.ok(decodesTo(mupdf, g4, pack(bits, w, h)), `${w}×${h} noise`);
    // A flipped bit is noticed.
    const other = pack(bits, w, h);
    other[0]! ^= 0x80;
    t.notOk(decodesTo(mupdf, g4, other), `${w}×${h}: a different bit fails`);
  }
});
