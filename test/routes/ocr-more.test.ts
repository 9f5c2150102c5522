import t from 'tap';
import * as mupdf from 'mupdf';
import { nativeTesseract } from '../../src/ocr/engine.js';
import { multipart, startApp } from '../helpers/app.js';
import { ocrJob, pdftotext } from '../helpers/ocr-jobs.js';
import { charAccuracy, imagePdf, LETTER_LINES, LETTER_SIZE, PAGE_LINES, scanPdf, turnedScan, typesetPdf, type Scan } from '../helpers/ocr-fixtures.js';
import { readZip } from '../helpers/zip.js';

/**
 * Issue 19 end to end: pages turned upright, straightened, old layers redone, rasterised,
 * archive formats, sidecar, language detection, optimize. Fixtures are generated: a letter
 * typeset, rendered at 300 dpi like a scanner, turned by sharp.
 */
t.setTimeout(900_000);

let letter: Scan;
let NATIVE: 'native' | 'wasm';
const truth = LETTER_LINES.join('\n');
t.before(async () => {
  letter = scanPdf(await typesetPdf([LETTER_LINES], LETTER_SIZE))[0]!;
  NATIVE = (await nativeTesseract()) ? 'native' : 'wasm';
});



/** Throws unless every element closes in order, attributes are quoted and no bare & or < is left in text. */
function wellFormed(xml: string): void {
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '').replace(/^<!DOCTYPE[^>]*>\s*/, '');
  let at = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const text = body.slice(at, m.index);
    if (/<|&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(text)) throw new Error(`bad text before offset ${m.index}: ${text.slice(0, 50)}`);
    at = m.index! + m[0].length;
    if (m[1]) {
      if (stack.pop() !== m[2]) throw new Error(`</${m[2]}> closes nothing open at ${m.index}`);
    } else if (!m[4]) stack.push(m[2]!);
  }
  if (stack.length || /\S/.test(body.slice(at))) throw new Error(`unclosed: ${stack.join(' ')}`);
}

/** The word's box on the displayed page, in points from the top-left. */
function wordBox(pdf: Buffer, page: number, word: string): { x0: number; y0: number; w: number; h: number } | undefined {
  const doc = new mupdf.PDFDocument(pdf);
  const p = doc.loadPage(page - 1);
  const quad = (p.search(word, {}) as number[][][])[0]?.[0];
  const [, , w, h] = p.getBounds();
  if (!quad) return undefined;
  return { x0: Math.min(quad[0]!, quad[6]!), y0: Math.min(quad[1]!, quad[3]!), w: w!, h: h! };
}

t.test('pages turned 90°, 180° and 270° are turned upright (defaults) and read in order, both engines', async (t) => {
  const turned = await Promise.all([90, 180, 270].map((d) => turnedScan(letter, d)));
  const input = imagePdf(turned);
  for (const engine of [NATIVE, 'wasm'] as const) {
    const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: engine });
    const { job, body } = await ocrJob(t, app, { name: 'turned.pdf', data: input }, { optimize: false });
    t.match(job.result, { engine, rotate_pages: true, pages_ocr: [1, 2, 3] });
    // Turned clockwise by d, the page needs 360 − d more to stand upright.
    t.same(job.result.pages_rotated, [{ page: 1, degrees: 270 }, { page: 2, degrees: 180 }, { page: 3, degrees: 90 }], engine);
    const out = new mupdf.PDFDocument(body);
    const before = new mupdf.PDFDocument(input);
    for (const i of [1, 2, 3]) {
      const acc = charAccuracy(truth, pdftotext(t, body, i));
      t.ok(acc >= 0.97, `${engine} page ${i}: ${(acc * 100).toFixed(1)} %`);
      const img = (d: mupdf.PDFDocument) => d.loadPage(i - 1).getObject().get('Resources', 'XObject', 'Im0').readRawStream().asUint8Array();
      t.ok(Buffer.from(img(before)).equals(Buffer.from(img(out))), `page ${i}: the image is untouched (only /Rotate changed)`);
      // The first words stand at the top left of the upright page, where they are printed (48 pt, ~30 pt down).
      const box = wordBox(body, i, 'Thompson');
      t.ok(box && box.y0 < 0.15 * box.h && box.x0 < 0.5 * box.w, `${engine} page ${i}: "Thompson" at ${JSON.stringify(box)}`);
    }
    const upright = await ocrJob(t, app, { name: 'upright.pdf', data: imagePdf([letter]) }, { optimize: false });
    t.same(upright.job.result.pages_rotated, [], 'an upright page is left as it is');
    t.ok(charAccuracy(truth, pdftotext(t, upright.body)) >= 0.99);
  }
});

/**
 * The skew left in a page's image (its scan, as stored; NaN once optimize has made it a form
 * drawing a 1-bit mask, see README "Scans") and in the page as rendered.
 */
async function skewOf(pdf: Buffer, page: number): Promise<{ image: number; shown: number }> {
  const { measureSkew } = await import('../../workers/ocr/skew.js');
  const doc = new mupdf.PDFDocument(pdf);
  const obj = doc.findPage(page - 1).get('Resources', 'XObject', 'Im0');
  let image = NaN;
  if (obj.get('Subtype').asName() === 'Image') {
    const img = doc.loadImage(obj).toPixmap().convertToColorSpace(mupdf.ColorSpace.DeviceGray, false);
    image = measureSkew(Uint8Array.from(img.getPixels()), img.getWidth(), img.getHeight());
  }
  const shown = doc.loadPage(page - 1).toPixmap(mupdf.Matrix.scale(1.5, 1.5), mupdf.ColorSpace.DeviceGray, false);
  return { image, shown: measureSkew(Uint8Array.from(shown.getPixels()), shown.getWidth(), shown.getHeight()) };
}

/**
 * Share of the page's ink (dark pixels of its render at 144 dpi; the invisible text draws
 * nothing) that lies inside the text layer's glyph boxes: ~1 when every recognised word lies
 * on the word it was read from; a layer straight over skewed words, or skewed over straight
 * ones, misses most of the ink at the ends of the lines.
 */
function inkUnderText(pdf: Buffer, page: number): number {
  const doc = new mupdf.PDFDocument(pdf);
  const p = doc.loadPage(page - 1);
  const s = 2;
  const pix = p.toPixmap(mupdf.Matrix.scale(s, s), mupdf.ColorSpace.DeviceGray, false, true);
  const w = pix.getWidth();
  const h = pix.getHeight();
  const px = pix.getPixels();
  const [bx, by] = p.getBounds();
  const covered = new Uint8Array(w * h);
  p.toStructuredText('').walk({
    onChar: (_c, _o, _f, _size, q) => {
      // Corners in order ul, ur, lr, ll; a pixel is inside when it is on the same side of all four edges.
      const pts = [0, 2, 6, 4].map((i) => [(q[i]! - bx) * s, (q[i + 1]! - by) * s] as const);
      const xs = pts.map((pt) => pt[0]);
      const ys = pts.map((pt) => pt[1]);
      for (let y = Math.max(0, Math.floor(Math.min(...ys))); y < Math.min(h, Math.ceil(Math.max(...ys))); y++) {
        for (let x = Math.max(0, Math.floor(Math.min(...xs))); x < Math.min(w, Math.ceil(Math.max(...xs))); x++) {
          const sides = pts.map((a, k) => {
            const b = pts[(k + 1) % 4]!;
            return Math.sign((b[0] - a[0]) * (y + 0.5 - a[1]) - (b[1] - a[1]) * (x + 0.5 - a[0]));
          });
          if (sides.every((v) => v >= 0) || sides.every((v) => v <= 0)) covered[y * w + x] = 1;
        }
      }
    },
  });
  let ink = 0;
  let under = 0;
  for (let i = 0; i < w * h; i++) {
    if (px[i]! < 128) {
      ink++;
      under += covered[i]!;
    }
  }
  return ink ? under / ink : 0;
}

t.test('deskew: pages skewed by ±1–5° get a straightened image; the output shows them straight and the text lies on them', async (t) => {
  const angles = [-5, -2, 1, 3.5];
  const input = imagePdf(await Promise.all(angles.map((d) => turnedScan(letter, d))));
  const before = new mupdf.PDFDocument(input);
  for (const engine of [NATIVE, 'wasm'] as const) {
    const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: engine });
    const { job, body } = await ocrJob(t, app, { name: 'skewed.pdf', data: input }, { deskew: true, optimize: false });
    t.equal(job.result.pages_deskewed.length, 4);
    t.notOk(job.result.pages_not_deskewed, 'every page is one scan');
    job.result.pages_deskewed.forEach((d: { page: number; degrees: number }, i: number) => {
      t.ok(Math.abs(d.degrees - angles[i]!) <= 0.2, `page ${d.page}: measured ${d.degrees}°, skewed by ${angles[i]}°`);
    });
    const out = new mupdf.PDFDocument(body);
    for (const i of [1, 2, 3, 4]) {
      const acc = charAccuracy(truth, pdftotext(t, body, i));
      t.ok(acc >= 0.97, `${engine} page ${i}: ${(acc * 100).toFixed(1)} %`);
      t.same(out.loadPage(i - 1).getBounds(), before.loadPage(i - 1).getBounds(), `page ${i}: same size`);
      const raw = (d: mupdf.PDFDocument) => Buffer.from(d.findPage(i - 1).get('Resources', 'XObject', 'Im0').readRawStream().asUint8Array());
      t.notOk(raw(out).equals(raw(before)), `page ${i}: its image is replaced`);
      // Straight: the image itself (not a turn of the page's content) measures level.
      const left = await skewOf(body, i);
      t.ok(Math.abs(left.image) <= 0.3 && Math.abs(left.shown) <= 0.3, `page ${i}: image ${left.image}°, shown ${left.shown}° skew left`);
      const under = inkUnderText(body, i);
      t.ok(under >= 0.9, `${engine} page ${i}: ${(under * 100).toFixed(1)} % of the ink lies under the text layer`);
    }
  }
});

t.test('deskew: an image upload is straightened (gray stays gray, same bytes twice); a page with more than its scan is left as it is, its text layer on the skewed words', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: NATIVE });
  // A gray PNG upload, skewed by 2° (turnedScan's own PNG is RGB).
  const skewed = await turnedScan(letter, 2);
  const pix = new mupdf.Pixmap(mupdf.ColorSpace.DeviceGray, [0, 0, skewed.width, skewed.height], false);
  pix.getPixels().set(skewed.gray);
  pix.setResolution(skewed.dpi, skewed.dpi);
  const png = Buffer.from(pix.asPNG());
  // The same scan under a stroke drawn on the page (a signature line, say): not one scan.
  const drawn = new mupdf.PDFDocument(imagePdf([await turnedScan(letter, -2.5)]));
  const page = drawn.findPage(0);
  const list = drawn.newArray();
  list.push(page.get('Contents'));
  list.push(drawn.addStream('0 0 1 RG 1 w 300 20 m 420 20 l S', drawn.newDictionary()));
  page.put('Contents', list);
  const mixed = Buffer.from(drawn.saveToBuffer('compress').asUint8Array());

  const [up, again, kept, small] = await Promise.all([
    ocrJob(t, app, { name: 'skewed.png', data: png }, { deskew: true, optimize: false }),
    ocrJob(t, app, { name: 'skewed.png', data: png }, { deskew: true, optimize: false }),
    ocrJob(t, app, { name: 'mixed.pdf', data: mixed }, { deskew: true, optimize: false }),
    ocrJob(t, app, { name: 'skewed.png', data: png }, { deskew: true }),
  ]);
  t.match(up.job.result, { input_type: 'png', pages_deskewed: [{ page: 1 }] });
  t.ok(Math.abs(up.job.result.pages_deskewed[0].degrees - 2) <= 0.2, JSON.stringify(up.job.result.pages_deskewed));
  const out = new mupdf.PDFDocument(up.body);
  const im = out.findPage(0).get('Resources', 'XObject', 'Im0');
  t.match({ cs: im.get('ColorSpace').asName(), bpc: im.get('BitsPerComponent').asNumber(), filter: im.get('Filter').asName(), w: im.get('Width').asNumber(), h: im.get('Height').asNumber() }, { cs: 'DeviceGray', bpc: 8, filter: 'FlateDecode', w: skewed.width, h: skewed.height }, 'a gray lossless image of the same size');
  const [, , pw, ph] = out.loadPage(0).getBounds();
  t.ok(Math.abs(pw! - (skewed.width * 72) / skewed.dpi) < 0.01 && Math.abs(ph! - (skewed.height * 72) / skewed.dpi) < 0.01, `page ${pw} × ${ph} pt, the image's size`);
  const left = await skewOf(up.body, 1);
  t.ok(Math.abs(left.image) <= 0.3, `upload: image ${left.image}° skew left`);
  t.ok(charAccuracy(truth, pdftotext(t, up.body)) >= 0.97);
  t.ok(inkUnderText(up.body, 1) >= 0.9, `upload: ${(inkUnderText(up.body, 1) * 100).toFixed(1)} % of the ink under the text`);
  t.ok(up.body.equals(again.body), 'same input, same options: same bytes');
  // optimize (the default) recompresses the straightened scan like any other.
  t.match(small.job.result.optimize, { applied: true });
  t.ok(small.body.length < up.body.length, `optimized ${small.body.length} < ${up.body.length} bytes`);
  t.equal(pdftotext(t, small.body), pdftotext(t, up.body), 'the same text');
  t.ok(Math.abs((await skewOf(small.body, 1)).shown) <= 0.3, 'still straight');

  t.same(kept.job.result.pages_deskewed, []);
  t.match(kept.job.result.pages_not_deskewed, [{ page: 1, reason: 'the page holds more than one scanned image' }]);
  t.ok(Math.abs(kept.job.result.pages_not_deskewed[0].degrees + 2.5) <= 0.2, JSON.stringify(kept.job.result.pages_not_deskewed));
  const img = (pdf: Buffer) => Buffer.from(new mupdf.PDFDocument(pdf).findPage(0).get('Resources', 'XObject', 'Im0').readRawStream().asUint8Array());
  t.ok(img(kept.body).equals(img(mixed)), 'its image is untouched');
  t.ok(Math.abs((await skewOf(kept.body, 1)).shown + 2.5) <= 0.2, 'it still shows skewed');
  // Read in line order by extractors that follow the text's direction (MuPDF here, pdf.js,
  // `pdftotext -raw`); poppler's default layout mode cuts turned lines into pieces, as it does
  // any skewed text.
  const keptText = new mupdf.PDFDocument(kept.body).loadPage(0).toStructuredText('').asText();
  t.ok(charAccuracy(truth, keptText) >= 0.97, keptText);
  const under = inkUnderText(kept.body, 1);
  t.ok(under >= 0.9, `${(under * 100).toFixed(1)} % of the ink lies under the turned text layer`);
});

t.test('a page upside down and skewed: turned and straightened in one go', async (t) => {
  const input = imagePdf([await turnedScan(letter, 183), await turnedScan(letter, 87.5)]);
  const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: NATIVE });
  const { job, body } = await ocrJob(t, app, { name: 'both.pdf', data: input }, { deskew: true, optimize: false });
  t.same(job.result.pages_rotated, [{ page: 1, degrees: 180 }, { page: 2, degrees: 270 }]);
  t.ok(Math.abs(job.result.pages_deskewed[0].degrees - 3) <= 0.2, JSON.stringify(job.result.pages_deskewed));
  t.ok(Math.abs(job.result.pages_deskewed[1].degrees + 2.5) <= 0.2, JSON.stringify(job.result.pages_deskewed));
  for (const i of [1, 2]) {
    const acc = charAccuracy(truth, pdftotext(t, body, i));
    t.ok(acc >= 0.97, `page ${i}: ${(acc * 100).toFixed(1)} %`);
    // Turned by /Rotate, straightened in its image: shown straight, the text on the ink.
    const left = await skewOf(body, i);
    t.ok(Math.abs(left.shown) <= 0.3, `page ${i}: shown with ${left.shown}° skew left`);
    t.ok(inkUnderText(body, i) >= 0.9, `page ${i}: ${(inkUnderText(body, i) * 100).toFixed(1)} % of the ink under the text`);
  }
});

/** An image-only page with a wrong invisible text layer on it, and a page of visible typed text with a wrong invisible one too. */
async function badLayerPdf(scan: Scan): Promise<Buffer> {
  const doc = new mupdf.PDFDocument(imagePdf([scan]));
  const typed = new mupdf.PDFDocument(await typesetPdf([['Visible typed text stays here.']]));
  doc.graftPage(-1, typed, 0);
  const font = doc.addSimpleFont(new mupdf.Font('Helvetica'));
  for (const i of [0, 1]) {
    const page = doc.findPage(i);
    const res = page.get('Resources');
    let fonts = res.get('Font');
    if (!fonts.isDictionary()) {
      fonts = doc.newDictionary();
      res.put('Font', fonts);
    }
    fonts.put('Fbad', font);
    const bad = doc.addStream('BT 3 Tr /Fbad 12 Tf 50 50 Td (Garbled wrongxyz layer qqq) Tj ET', doc.newDictionary());
    const list = doc.newArray();
    const c = page.get('Contents');
    if (c.isArray()) c.forEach((x) => list.push(x));
    else list.push(c);
    list.push(bad);
    page.put('Contents', list);
  }
  return Buffer.from(doc.saveToBuffer('compress').asUint8Array());
}

/** Both engines where the binary is installed (tesseract.js alone otherwise); one small page per case keeps WASM's share to seconds. */
const engines = (): ('native' | 'wasm')[] => (NATIVE === 'native' ? ['native', 'wasm'] : ['wasm']);

t.test('modes: skip leaves an old layer, redo replaces it (visible text kept), force rasterises; both engines', async (t) => {
  const [scan] = scanPdf(await typesetPdf([PAGE_LINES[0]!]));
  const input = await badLayerPdf(scan!);
  t.match(pdftotext(t, input, 1), /wrongxyz/, 'the fixture has its bad layer');
  for (const engine of engines()) await t.test(engine, async (t) => {
    const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: engine });
    const [skip, redo, force] = await Promise.all([
      ocrJob(t, app, { name: 'bad.pdf', data: input }, { mode: 'skip', optimize: false }),
      ocrJob(t, app, { name: 'bad.pdf', data: input }, { mode: 'redo', optimize: false }),
      ocrJob(t, app, { name: 'bad.pdf', data: input }, { mode: 'force', optimize: false }),
    ]);
    t.match(skip.job.result, { mode: 'skip', pages_ocr: [], pages_with_text: [1, 2] });
    t.match(pdftotext(t, skip.body, 1), /wrongxyz/);

    t.match(redo.job.result, { mode: 'redo', pages_ocr: [1, 2], pages_text_layer_removed: [1, 2] });
    const page1 = pdftotext(t, redo.body, 1);
    t.notMatch(page1, /wrongxyz/, 'the old layer is gone');
    t.ok(charAccuracy(PAGE_LINES[0]!.join('\n'), page1) >= 0.98, page1);
    const page2 = pdftotext(t, redo.body, 2);
    t.notMatch(page2, /wrongxyz/);
    t.equal(page2.match(/Visible typed text stays here/g)?.length, 1, 'visible text kept, and not read a second time');

    t.match(force.job.result, { mode: 'force', pages_ocr: [1, 2], pages_rasterized: [1, 2] });
    const forced = new mupdf.PDFDocument(force.body);
    const xo = forced.loadPage(1).getObject().get('Resources', 'XObject');
    t.ok(xo.isDictionary() && xo.get('Im0').isStream(), 'page 2 is now an image');
    const f2 = pdftotext(t, force.body, 2);
    t.notMatch(f2, /wrongxyz/);
    t.ok(charAccuracy('Visible typed text stays here.', f2) >= 0.95, f2);
    for (const r of [skip, redo, force]) t.equal(r.job.result.engine, engine);
  });
});

t.test('hOCR, ALTO v4 and sidecar outputs; language auto; both engines', async (t) => {
  const [scan] = scanPdf(await typesetPdf([PAGE_LINES[0]!]));
  const input = imagePdf([scan!]);
  for (const engine of engines()) await t.test(engine, async (t) => {
    const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: engine });
    const [hocr, alto, side, auto] = await Promise.all([
      ocrJob(t, app, { name: 'a.pdf', data: input }, { outputFormat: 'hocr' }),
      ocrJob(t, app, { name: 'a.pdf', data: input }, { outputFormat: 'alto' }),
      ocrJob(t, app, { name: 'a.pdf', data: input }, { sidecar: true, optimize: false }),
      ocrJob(t, app, { name: 'a.pdf', data: input }, { language: 'auto', outputFormat: 'text' }),
    ]);
    const xmllint = (_name: string, data: Buffer) => wellFormed(data.toString('utf8'));
    t.match(hocr.headers['content-disposition'], /a_ocr\.hocr/);
    const h = hocr.body.toString('utf8');
    t.doesNotThrow(() => xmllint('a.hocr', hocr.body), 'hOCR is well-formed XML');
    t.match(h, /class="ocr_page"[^>]*title="image &quot;page-1&quot;; bbox 0 0 \d+ \d+/);
    const words = [...h.matchAll(/<span class="ocrx_word"[^>]*title="bbox (\d+) (\d+) (\d+) (\d+); x_wconf (\d+)">([^<]*)<\/span>/g)];
    t.ok(words.length >= 20, `${words.length} words with bbox`);
    t.equal(words[0]![6], 'Invoice');
    t.ok(Math.abs(Number(words[0]![1]) - 200) < 15, 'first word at 48 pt = 200 px');

    const a = alto.body.toString('utf8');
    t.doesNotThrow(() => xmllint('a.xml', alto.body), 'ALTO is well-formed XML');
    t.match(a, /<alto xmlns="http:\/\/www\.loc\.gov\/standards\/alto\/ns-v4#"/);
    const strings = [...a.matchAll(/<String ID="[^"]+" HPOS="(\d+)" VPOS="(\d+)" WIDTH="(\d+)" HEIGHT="(\d+)" WC="[\d.]+" CONTENT="([^"]*)"\/>/g)];
    t.ok(strings.length >= 20, `${strings.length} String elements`);
    t.equal(strings[0]![5], 'Invoice');
    t.ok(charAccuracy(PAGE_LINES[0]!.join(' '), strings.map((s) => s[5]).join(' ')) >= 0.98);

    t.match(side.headers['content-disposition'], /a_ocr\.zip/);
    const zip = await readZip(side.body);
    t.same([...zip.keys()].sort(), ['a_ocr.pdf', 'a_ocr.txt']);
    const txt = zip.get('a_ocr.txt')!.toString('utf8');
    t.ok(charAccuracy(PAGE_LINES[0]!.join('\n'), txt) >= 0.98, txt);
    const pdf = zip.get('a_ocr.pdf')!;
    t.ok(charAccuracy(PAGE_LINES[0]!.join('\n'), pdftotext(t, pdf)) >= 0.98);

    // Only eng, fra, deu and spa are installed: an English page is eng, and nothing else is chosen.
    t.match(auto.job.result, { language: 'eng', language_detection: { requested: 'auto', detected: 'eng', script: 'Latin' } });
    t.same(auto.job.result.language_detection.candidates, ['deu', 'eng', 'fra', 'spa']);
    t.ok(charAccuracy(PAGE_LINES[0]!.join('\n'), auto.body.toString('utf8')) >= 0.98);

    const bad = await app.inject({ method: 'POST', url: '/api/ocr', ...(await multipart({ options: JSON.stringify({ sidecar: true, outputFormat: 'text' }) }, [{ name: 'a.pdf', data: input }])) });
    t.equal(bad.statusCode, 400);
    t.equal(bad.json().error.code, 'INVALID_OPTIONS');
    for (const r of [hocr, alto, side, auto]) t.equal(r.job.result.engine, engine);
  });
});

t.test('language auto picks French among the installed languages for a French page', async (t) => {
  const lines = ['Le chat dort sur la chaise près de la fenêtre.', 'Nous avons reçu votre lettre avec beaucoup de plaisir.', 'Les enfants jouent dans le jardin tous les après-midi.'];
  const [scan] = scanPdf(await typesetPdf([lines], [595, 200]));
  const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: NATIVE });
  const { job } = await ocrJob(t, app, { name: 'fr.pdf', data: imagePdf([scan!]) }, { language: 'auto', outputFormat: 'text' });
  t.match(job.result, { language: 'fra', language_detection: { detected: 'fra', first_pass: 'eng', method: 'franc' } });
});

t.test('optimize: the searchable PDF of a gray scan goes through the compression engine, text kept', async (t) => {
  const input = imagePdf([letter, await turnedScan(letter, 180)]);
  const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: NATIVE });
  const [plain, small] = await Promise.all([ocrJob(t, app, { name: 's.pdf', data: input }, { optimize: false }), ocrJob(t, app, { name: 's.pdf', data: input })]);
  t.equal(plain.job.result.optimize, false);
  t.match(small.job.result.optimize, { level: 'medium', applied: true });
  t.ok(small.body.length < input.length, `${small.body.length} < input ${input.length}`);
  t.ok(small.body.length < plain.body.length, `${small.body.length} < unoptimized ${plain.body.length}`);
  t.equal(small.job.result.optimize.size_after, small.body.length);
  t.equal(pdftotext(t, small.body), pdftotext(t, plain.body), 'the same text, page for page');
  const again = await ocrJob(t, app, { name: 's.pdf', data: input });
  t.ok(again.body.equals(small.body), 'same input and options, same bytes');
  // One thread splits the scans in the compress task itself; two split them in two shares first.
  const { app: one } = await startApp(t, { WORKER_THREADS: '1', OCR_ENGINE: NATIVE });
  const single = await ocrJob(t, one, { name: 's.pdf', data: input });
  t.ok(single.body.equals(small.body), `one thread, same bytes as two (${single.body.length} vs ${small.body.length})`);
});
