import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import t from 'tap';
import * as mupdf from 'mupdf';
import { parseLanguages, languageCodes } from '../../src/ocr/languages.js';
import { WorkerPool } from '../../src/pool/pool.js';
import { addGlyphlessFont } from '../../workers/ocr/glyphless-font.js';
import { pngPassthrough, readPng } from '../../workers/ocr/png.js';
import { cappedDpi, PIXEL_CAP } from '../../workers/ocr/render.js';
import { attachTextLayer, newTextLayerContext } from '../../workers/ocr/text-layer.js';
import { parseTsv } from '../../workers/ocr/tsv.js';
import type { OcrPageResult } from '../../workers/ocr/types.js';
import { readWebpHeader } from '../../workers/ocr/webp-header.js';
import { recognizeWasm, terminateWasm } from '../../workers/ocr/wasm-engine.js';
import { tempDir } from '../helpers/app.js';
import { scanPdf, typesetPdf, webp } from '../helpers/ocr-fixtures.js';

// OCR is ~1–3 s per page per thread on an idle 2-core machine and several times that while
// the rest of the suite runs beside it: this file asks the runner for more than its default 180 s.
t.setTimeout(600_000);

t.test('TSV → blocks, lines, words, text and mean confidence', async (t) => {
  const tsv = [
    'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
    '1\t1\t0\t0\t0\t0\t0\t0\t800\t300\t-1\t',
    '2\t1\t1\t0\t0\t0\t20\t50\t400\t100\t-1\t',
    '3\t1\t1\t1\t0\t0\t20\t50\t400\t100\t-1\t',
    '4\t1\t1\t1\t1\t0\t20\t50\t400\t30\t-1\t',
    '5\t1\t1\t1\t1\t1\t20\t50\t100\t30\t96.5\tHello',
    '5\t1\t1\t1\t1\t2\t130\t50\t100\t30\t90.5\tworld',
    '4\t1\t1\t1\t2\t0\t20\t120\t400\t30\t-1\t',
    '5\t1\t1\t1\t2\t1\t20\t120\t100\t30\t95\t  ',
    '2\t1\t2\t0\t0\t0\t0\t200\t10\t10\t-1\t',
    '4\t1\t2\t1\t1\t0\t0\t200\t10\t10\t-1\t',
    '5\t1\t2\t1\t1\t1\t0\t200\t10\t10\t80\tAgain',
  ].join('\n');
  const r = parseTsv(tsv, { page: 3, width: 800, height: 300, dpi: 300 });
  t.equal(r.text, 'Hello world\n\nAgain');
  t.equal(r.meanConfidence, 89);
  t.equal(r.blocks.length, 2, 'the empty line is dropped, its block kept for the other line');
  t.same(r.blocks[0]!.lines[0]!.words[1], { text: 'world', bbox: [130, 50, 230, 80], confidence: 90.5 });
  t.equal(parseTsv('', { page: 1, width: 1, height: 1, dpi: 72 }).meanConfidence, null);
});

t.test('languages: installed packages, + combinations, refusals list what is installed', async (t) => {
  t.same(languageCodes(), ['deu', 'eng', 'fra', 'spa']);
  t.same(parseLanguages('eng+FRA+eng'), ['eng', 'fra']);
  t.throws(() => parseLanguages('eng+tlh'), { code: 'UNSUPPORTED_LANGUAGE', message: /"tlh".*installed: deu, eng, fra, spa/ });
  t.throws(() => parseLanguages(''), { code: 'UNSUPPORTED_LANGUAGE' });
  t.throws(() => parseLanguages('eng+fra+deu+spa+eng+fra'.replace(/\+eng\+fra$/, '+xxx')), { code: 'UNSUPPORTED_LANGUAGE' });
});

t.test('pages past the pixel cap are rendered at a lower dpi', async (t) => {
  t.equal(cappedDpi(595, 842, 300), 300, 'A4 at 300 dpi is 8.7 Mpx');
  const a0 = cappedDpi(2384, 3370, 300);
  t.ok(a0 < 300 && ((2384 * a0) / 72) * ((3370 * a0) / 72) <= PIXEL_CAP, `A0 rendered at ${a0} dpi`);
  // Below 20 dpi only when the cap demands it (a hostile MediaBox): the cap always holds.
  t.equal(cappedDpi(14400, 14400, 300, 1_000_000), 5, 'a 5 m page at 1 Mpx: 5 dpi');
  const huge = cappedDpi(9_000_000, 842, 300);
  t.ok(huge > 0 && ((9_000_000 * huge) / 72) * ((842 * huge) / 72) <= PIXEL_CAP, `a 9,000,000 pt page rendered at ${huge} dpi, within the cap`);
});

t.test('PNG pixels go into the PDF byte for byte and render the same', async (t) => {
  const [scan] = scanPdf(await typesetPdf([['Pixels']], [200, 60]));
  const doc = new mupdf.PDFDocument();
  const ref = pngPassthrough(doc, scan!.png);
  t.ok(ref);
  t.ok(Buffer.from(ref!.readRawStream().asUint8Array()).equals(Buffer.concat(readPng(scan!.png)!.idat)));
  const page = doc.addPage([0, 0, 200, 60], 0, { XObject: { Im0: ref } }, 'q 200 0 0 60 0 0 cm /Im0 Do Q');
  doc.insertPage(-1, page);
  const pix = doc.loadPage(0).toPixmap(mupdf.Matrix.scale(300 / 72, 300 / 72), mupdf.ColorSpace.DeviceGray, false);
  const a = pix.getPixels();
  const diff = a.reduce((n, v, i) => n + (Math.abs(v - scan!.gray[i]!) > 2 ? 1 : 0), 0);
  t.ok(diff / a.length < 0.01, `${diff} of ${a.length} pixels differ`);
  const alpha = Buffer.from(scan!.png);
  alpha[25] = 6; // colour type RGBA: needs a mask, not passed through
  t.equal(pngPassthrough(doc, alpha), undefined);
});

t.test('WebP header: size and lossless flag; truncation refused', async (t) => {
  const [scan] = scanPdf(await typesetPdf([['W']], [100, 40]));
  const w = webp(scan!);
  t.same(readWebpHeader(w), { width: scan!.width, height: scan!.height, lossless: true });
  t.equal(readWebpHeader(w.subarray(0, w.length - 10)), undefined);
  t.equal(readWebpHeader(Buffer.from('RIFF\0\0\0\0WEBPxxxx')), undefined);
});

/** One word "Target" at pixel box (300, 150)–(600, 200) of a 300-dpi render: (72, 36)–(144, 48) in points. */
const result: OcrPageResult = {
  page: 1, width: 2480, height: 1000, dpi: 300, text: 'Target', meanConfidence: 95,
  blocks: [{ bbox: [300, 150, 600, 200], lines: [{ bbox: [300, 150, 600, 200], words: [{ text: 'Target', bbox: [300, 150, 600, 200], confidence: 95 }] }] }],
};

t.test('the text layer lands on the rendered position, whatever the page does to its coordinates', async (t) => {
  // A rotated page with an offset media box, whose content leaves a scaled CTM behind (no Q).
  const doc = new mupdf.PDFDocument();
  const page = doc.addPage([100, 50, 340, 645], 90, {}, '2 0 0 2 10 10 cm 0 0 1 1 re f');
  doc.insertPage(-1, page);
  const render = (pg: mupdf.Page) => Buffer.from(pg.toPixmap(mupdf.Matrix.identity, mupdf.ColorSpace.DeviceRGB, false).getPixels());
  const pixelsBefore = render(doc.loadPage(0));
  const ctx = newTextLayerContext(mupdf, doc, addGlyphlessFont(doc));
  attachTextLayer(ctx, doc.loadPage(0), result);
  const saved = new mupdf.PDFDocument(doc.saveToBuffer('compress').asUint8Array());
  const p = saved.loadPage(0);
  t.same(p.getBounds().map(Math.round), [0, 0, 595, 240], 'displayed landscape');
  const quad = (p.search('Target', {}) as number[][][])[0]![0]!;
  const xs = [quad[0]!, quad[2]!, quad[4]!, quad[6]!];
  const ys = [quad[1]!, quad[3]!, quad[5]!, quad[7]!];
  t.ok(Math.abs(Math.min(...xs) - 72) < 1 && Math.abs(Math.max(...xs) - 144) < 1, `x ${xs.map((v) => v.toFixed(1))}`);
  t.ok(Math.abs(Math.min(...ys) - 36) < 1 && Math.abs(Math.max(...ys) - 48) < 1, `y ${ys.map((v) => v.toFixed(1))}`);
  const text = p.toStructuredText('').asText();
  t.match(text, /Target/);
  t.ok(render(p).equals(pixelsBefore), 'invisible: the page renders exactly as before');
});

t.test('wasm engine: a corrupt image is a coded failure, and the worker lives on', async (t) => {
  t.teardown(terminateWasm);
  const [scan] = scanPdf(await typesetPdf([['Still here']], [200, 60]));
  await t.rejects(recognizeWasm(Buffer.alloc(500, 9), ['eng'], 300), { code: 'INVALID_IMAGE' });
  const tsv = await recognizeWasm(scan!.png, ['eng'], 300);
  t.match(parseTsv(tsv, { page: 1, width: 1, height: 1, dpi: 300 }).text, /Still here/);
});

t.test('a pool whose threads hold tesseract.js workers shuts down cleanly', async (t) => {
  const pool = new WorkerPool({ threads: 1, maxQueue: 10 });
  const [scan] = scanPdf(await typesetPdf([['Pool']], [200, 60]));
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/ocr-pool-');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { imagePdf } = await import('../helpers/ocr-fixtures.js');
  writeFileSync(`${dir}/s.pdf`, imagePdf([scan!]));
  const pages = await pool.run('ocrRecognize', { source: `${dir}/s.pdf`, pages: [{ index: 0, dpi: 300, dpiHint: true }], engine: 'wasm', langs: ['eng'] });
  t.match(pages[0]!.text, /Pool/);
  await pool.destroy();
  t.pass('destroyed; the nested tesseract.js thread went with its pool thread');
});

t.test('OSD report, skew measure, gray turns, invisible-text removal, language pick (issue 19 pieces)', async (t) => {
  const { parseOsd } = await import('../../workers/ocr/osd.js');
  t.same(parseOsd('Page number: 0\nOrientation in degrees: 90\nRotate: 270\nOrientation confidence: 14.76\nScript: Latin\nScript confidence: 11.90\n'), {
    rotate: 270, confidence: 14.76, script: 'Latin', scriptConfidence: 11.9,
  });
  t.same(parseOsd('Too few characters. Skipping this page\n'), { rotate: 0, confidence: 0, script: null, scriptConfidence: 0 });

  const { measureSkew, rotateGray } = await import('../../workers/ocr/skew.js');
  // Three dark lines descending 2° to the right on a white 600 × 300 image.
  const w = 600;
  const h = 300;
  const gray = new Uint8Array(w * h).fill(255);
  for (const y0 of [60, 140, 220]) for (let x = 20; x < 580; x++) for (let d = 0; d < 6; d++) gray[Math.round(y0 + d + x * Math.tan((2 * Math.PI) / 180)) * w + x] = 0;
  t.ok(Math.abs(measureSkew(gray, w, h) - 2) <= 0.05, `measured ${measureSkew(gray, w, h)}°`);
  t.equal(measureSkew(new Uint8Array(w * h).fill(255), w, h), 0, 'a blank page is left alone');
  const photo = Uint8Array.from({ length: w * h }, (_, i) => 128 + Math.round(90 * Math.sin((i % w) / 37) * Math.cos(Math.floor(i / w) / 23)));
  t.equal(measureSkew(photo, w, h), 0, 'a picture without lines of text is left alone');
  const img = Uint8Array.from([1, 2, 3, 4, 5, 6]); // 3 × 2
  t.same([...rotateGray(img, 3, 2, 90).gray], [4, 1, 5, 2, 6, 3]);
  t.same([...rotateGray(img, 3, 2, 180).gray], [6, 5, 4, 3, 2, 1]);
  t.same([...rotateGray(img, 3, 2, 270).gray], [3, 6, 2, 5, 1, 4]);

  const { stripInvisibleText } = await import('../../workers/ocr/invisible-text.js');
  const content = Buffer.from('q BT /F1 12 Tf (Seen \\) \\(kept\\)) Tj ET BT 3 Tr /F1 9 Tf 10 10 Td (gone) Tj [(also) 5 (gone)] TJ ET Q BT 0 Tr (shown) Tj ET BI /W 1 /H 1 ID \x00Tj EI Q');
  const out = Buffer.from(stripInvisibleText(content)!).toString('latin1');
  t.notMatch(out, /gone/);
  t.match(out, /\(Seen \\\) \\\(kept\\\)\) Tj/);
  t.match(out, /\(shown\) Tj/);
  t.match(out, /ID \x00Tj EI/, 'inline image data is not read as operators');
  t.equal(stripInvisibleText(Buffer.from('BT (x) Tj ET')), undefined, 'no invisible text: nothing to change');

  const { pickLanguage, candidatesFor } = await import('../../workers/ocr/language.js');
  t.same(candidatesFor('Latin', ['deu', 'eng', 'fra', 'rus']), ['deu', 'eng', 'fra']);
  t.same(candidatesFor('Cyrillic', ['deu', 'eng', 'rus']), ['rus']);
  t.same(candidatesFor('Cyrillic', ['deu', 'eng']), ['deu', 'eng'], 'none of the script installed: all are candidates');
  t.equal(pickLanguage('Der Vertrag wurde gestern von beiden Parteien unterschrieben und ist jetzt gültig.', ['deu', 'eng', 'fra', 'spa']), 'deu');
  t.equal(pickLanguage('ok', ['deu', 'eng']), undefined, 'too short to tell');
});

t.test('deskew: a page that is one scan gets its image straightened in place (gray, 1-bit, mirrored); any other page is left', async (t) => {
  const { deskewPage, putStraightImage } = await import('../../workers/ocr/deskew.js');
  const { measureSkew } = await import('../../workers/ocr/skew.js');
  const { LETTER_LINES, LETTER_SIZE, imagePdf, turnedScan } = await import('../helpers/ocr-fixtures.js');
  const dir = tempDir(t);
  const [letter] = scanPdf(await typesetPdf([LETTER_LINES], LETTER_SIZE), 200);
  const skewed = await turnedScan(letter!, 3);
  /** The skew of the page's image itself, and of the page as rendered. */
  const skews = (doc: mupdf.PDFDocument) => {
    const ref = doc.findPage(0).get('Resources', 'XObject', 'Im0');
    const pix = doc.loadImage(ref).toPixmap().convertToColorSpace(mupdf.ColorSpace.DeviceGray, false);
    const shown = doc.loadPage(0).toPixmap(mupdf.Matrix.scale(1.5, 1.5), mupdf.ColorSpace.DeviceGray, false);
    const ink = shown.getPixels().reduce((n, v) => n + (v < 128 ? 1 : 0), 0);
    return { image: measureSkew(Uint8Array.from(pix.getPixels()), pix.getWidth(), pix.getHeight()), shown: measureSkew(Uint8Array.from(shown.getPixels()), shown.getWidth(), shown.getHeight()), ink };
  };
  /** Turned, not torn: the page shows as much ink as before (within 5 %). */
  const sameInk = (before: mupdf.PDFDocument, after: mupdf.PDFDocument, what: string) => {
    const [a, b] = [skews(before).ink, skews(after).ink];
    t.ok(a > 1000 && Math.abs(b - a) <= 0.05 * a, `${what}: ink ${a} → ${b} pixels`);
  };
  const straighten = async (pdf: Buffer, name: string) => {
    const doc = new mupdf.PDFDocument(pdf);
    const outcome = await deskewPage(mupdf, doc, 0, skews(doc).shown, path.join(dir, name));
    if (!('left' in outcome)) await putStraightImage(doc, 0, outcome);
    return { doc, outcome };
  };
  mkdirSync(path.join(dir, 'a'));
  mkdirSync(path.join(dir, 'b'));

  // (turnedScan's PNG and JPEG come out RGB: gray ones are made here)
  const grayPix = new mupdf.Pixmap(mupdf.ColorSpace.DeviceGray, [0, 0, skewed.width, skewed.height], false);
  grayPix.getPixels().set(skewed.gray);
  const [pw, ph] = [(skewed.width * 72) / skewed.dpi, (skewed.height * 72) / skewed.dpi];

  // RGB JPEG scan: stays an RGB JPEG in its own colour space.
  const rgb = await straighten(imagePdf([skewed]), 'a');
  t.match(rgb.outcome, { colors: 3, filter: 'DCTDecode', keepColorSpace: true });
  t.ok(Math.abs(skews(rgb.doc).shown) <= 0.3, `RGB: shown ${skews(rgb.doc).shown}°`);
  sameInk(new mupdf.PDFDocument(imagePdf([skewed])), rgb.doc, 'RGB');

  // Gray JPEG scan: stays a gray JPEG of the same pixel size on a page of the same size, and shows straight.
  const gray = imagePdf([{ ...skewed, jpeg: Buffer.from(grayPix.asJPEG(85)) }]);
  t.ok(Math.abs(skews(new mupdf.PDFDocument(gray)).image - 3) <= 0.1, 'the fixture is skewed by 3°');
  const g = await straighten(gray, 'a');
  t.notOk('left' in g.outcome, JSON.stringify(g.outcome));
  const im = g.doc.findPage(0).get('Resources', 'XObject', 'Im0');
  const colors = (d: mupdf.PDFDocument) => d.loadImage(d.findPage(0).get('Resources', 'XObject', 'Im0')).getNumberOfComponents();
  t.match({ w: im.get('Width').asNumber(), h: im.get('Height').asNumber(), colors: colors(g.doc), f: im.get('Filter').asName(), bpc: im.get('BitsPerComponent').asNumber() }, { w: skewed.width, h: skewed.height, colors: 1, f: 'DCTDecode', bpc: 8 });
  t.ok(im.get('ColorSpace').resolve().toString() === new mupdf.PDFDocument(gray).findPage(0).get('Resources', 'XObject', 'Im0', 'ColorSpace').resolve().toString(), 'its own colour space kept');
  t.same(g.doc.loadPage(0).getBounds(), new mupdf.PDFDocument(gray).loadPage(0).getBounds(), 'page size unchanged');
  const gs = skews(g.doc);
  t.ok(Math.abs(gs.image) <= 0.3 && Math.abs(gs.shown) <= 0.3, `straight: image ${gs.image}°, shown ${gs.shown}°`);
  sameInk(new mupdf.PDFDocument(gray), g.doc, 'gray JPEG');
  const again = await straighten(gray, 'b');
  t.ok(readFileSync(path.join(dir, 'a', 'deskew-1.bin')).equals(readFileSync(path.join(dir, 'b', 'deskew-1.bin'))), 'same image, same bytes');
  t.ok(Buffer.from(g.doc.saveToBuffer('compress').asUint8Array()).equals(Buffer.from(again.doc.saveToBuffer('compress').asUint8Array())), 'same page, same bytes');

  // A 1-bit scan stays 1-bit (Flate, lossless).
  const bits = new mupdf.PDFDocument();
  const row = Math.ceil(skewed.width / 8);
  const packed = Buffer.alloc(row * skewed.height);
  for (let y = 0; y < skewed.height; y++) for (let x = 0; x < skewed.width; x++) if (skewed.gray[y * skewed.width + x]! >= 128) packed[y * row + (x >> 3)]! |= 0x80 >> (x & 7);
  const bitImage = bits.addRawStream(deflateSync(packed), { Type: bits.newName('XObject'), Subtype: bits.newName('Image'), Width: skewed.width, Height: skewed.height, BitsPerComponent: 1, ColorSpace: bits.newName('DeviceGray'), Filter: bits.newName('FlateDecode') });
  bits.insertPage(-1, bits.addPage([0, 0, pw, ph], 0, { XObject: { Im0: bitImage } }, `q ${pw} 0 0 ${ph} 0 0 cm /Im0 Do Q`));
  const b = await straighten(Buffer.from(bits.saveToBuffer('compress').asUint8Array()), 'a');
  sameInk(bits, b.doc, '1-bit');
  const bim = b.doc.findPage(0).get('Resources', 'XObject', 'Im0');
  t.match({ bpc: bim.get('BitsPerComponent').asNumber(), f: bim.get('Filter').asName() }, { bpc: 1, f: 'FlateDecode' });
  const bs = skews(b.doc);
  t.ok(Math.abs(bs.image) <= 0.3 && Math.abs(bs.shown) <= 0.3, `1-bit straight: image ${bs.image}°, shown ${bs.shown}°`);

  // A gray PNG upload's page (Flate): stays gray and lossless.
  const grayPng = new mupdf.PDFDocument();
  const pngRef = pngPassthrough(grayPng, Buffer.from(grayPix.asPNG()))!;
  grayPng.insertPage(-1, grayPng.addPage([0, 0, pw, ph], 0, { XObject: { Im0: pngRef } }, `q ${pw} 0 0 ${ph} 0 0 cm /Im0 Do Q`));
  const gp = await straighten(Buffer.from(grayPng.saveToBuffer('compress').asUint8Array()), 'b');
  sameInk(grayPng, gp.doc, 'gray PNG');
  const gim = gp.doc.findPage(0).get('Resources', 'XObject', 'Im0');
  t.match({ colors: colors(gp.doc), bpc: gim.get('BitsPerComponent').asNumber(), f: gim.get('Filter').asName(), cs: gim.get('ColorSpace').asName() }, { colors: 1, bpc: 8, f: 'FlateDecode', cs: 'DeviceGray' });
  t.ok(Math.abs(skews(gp.doc).shown) <= 0.3, `gray PNG: shown ${skews(gp.doc).shown}°`);

  // Drawn mirrored (x flipped): it shows skewed the other way, its image turns the other way, and the page shows straight.
  const mirrored = new mupdf.PDFDocument(gray);
  const mp = mirrored.findPage(0);
  mp.put('Contents', mirrored.addStream(`q -${pw} 0 0 ${ph} ${pw} 0 cm /Im0 Do Q`, mirrored.newDictionary()));
  const m = await straighten(Buffer.from(mirrored.saveToBuffer('compress').asUint8Array()), 'b');
  t.notOk('left' in m.outcome);
  sameInk(mirrored, m.doc, 'mirrored');
  t.ok(Math.abs(skews(new mupdf.PDFDocument(Buffer.from(mirrored.saveToBuffer('compress').asUint8Array()))).shown + 3) <= 0.1, 'the mirrored page shows −3°');
  t.ok(Math.abs(skews(m.doc).shown) <= 0.3, `mirrored: shown ${skews(m.doc).shown}°`);

  // A drawing beside the scan: the page is not one scan, and is left as it is.
  const drawn = new mupdf.PDFDocument(gray);
  const dp = drawn.findPage(0);
  const list = drawn.newArray();
  list.push(dp.get('Contents'));
  list.push(drawn.addStream('0 0 1 RG 2 w 10 10 m 60 10 l S', drawn.newDictionary()));
  dp.put('Contents', list);
  const d = await straighten(Buffer.from(drawn.saveToBuffer('compress').asUint8Array()), 'a');
  t.same(d.outcome, { left: 'the page holds more than one scanned image' });
});
