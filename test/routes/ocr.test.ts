import { readdirSync } from 'node:fs';
import t from 'tap';
import * as mupdf from 'mupdf';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { nativeTesseract } from '../../src/ocr/engine.js';
import { countByStatus } from '../../src/queue/index.js';
import { multipart, startApp } from '../helpers/app.js';
import { ocrJob, pdftotext, submitOcr } from '../helpers/ocr-jobs.js';
import { charAccuracy, imagePdf, mixedPdf, PAGE_LINES, scanPdf, tiff, typesetPdf, webp, type Scan } from '../helpers/ocr-fixtures.js';

/**
 * End to end through HTTP, the queue and the real pool, with both engines. OCR costs
 * ~1–3 s per page, so every input is one or two short pages, generated once per file.
 */
// OCR is ~1–3 s per page per thread on an idle 2-core machine and several times that while
// the rest of the suite runs beside it: this file asks the runner for more than its default 180 s.
t.setTimeout(600_000);

let scans: Scan[];
/** The binary engine where `tesseract` is installed (CI installs tesseract-ocr), else tesseract.js. */
let NATIVE: 'native' | 'wasm';
t.before(async () => {
  scans = scanPdf(await typesetPdf());
  NATIVE = (await nativeTesseract()) ? 'native' : 'wasm';
});
const expected = (i: number) => PAGE_LINES[i]!.join('\n');




t.test('scanned PDF → searchable PDF (native engine, optimize false): original images kept, text layer on the words, small', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: NATIVE });
  const input = imagePdf(scans);
  // optimize: false keeps every page byte for byte (optimize is tested in ocr-more.test.ts).
  const { job, body, headers } = await ocrJob(t, app, { name: 'scan.pdf', data: input }, { optimize: false });
  t.match(headers['content-disposition'], /filename="scan_ocr.pdf"/);
  t.match(job.result, { engine: NATIVE, language: 'eng', output_format: 'searchable_pdf', input_type: 'pdf', page_count: 2, pages_ocr: [1, 2], pages_with_text: [] });
  t.equal(job.progress.percent, 100);
  t.ok(job.result.mean_confidence > 80, `mean confidence ${job.result.mean_confidence}`);
  for (const i of [0, 1]) {
    const acc = charAccuracy(expected(i), pdftotext(t, body, i + 1));
    t.ok(acc >= 0.98, `page ${i + 1}: pdftotext matches ${(acc * 100).toFixed(1)} % of characters`);
  }
  // Output = input + text layer: the pages' image streams are the very same bytes.
  t.ok(body.length <= input.length + 8 * 1024, `${body.length} bytes from ${input.length}`);
  const before = new mupdf.PDFDocument(input);
  const after = new mupdf.PDFDocument(body);
  for (const i of [0, 1]) {
    const img = (d: mupdf.PDFDocument) => d.loadPage(i).getObject().get('Resources', 'XObject', 'Im0').readRawStream().asUint8Array();
    t.ok(Buffer.from(img(before)).equals(Buffer.from(img(after))), `page ${i + 1} image untouched`);
  }
  // Searching hits the word where it is printed: typeset at x = 48 pt, first baseline 50 pt below the top.
  const hits = after.loadPage(0).search('Northwind', {}) as number[][][];
  t.equal(hits.length, 1);
  const quad = hits[0]![0]!;
  const font = await (await PDFDocument.create()).embedFont(StandardFonts.Helvetica);
  const printedAt = 48 + font.widthOfTextAtSize('Invoice 2024-117 from ', 13);
  const x0 = Math.min(quad[0]!, quad[6]!);
  const yBottom = Math.max(quad[5]!, quad[7]!);
  t.ok(Math.abs(x0 - printedAt) < 4, `"Northwind" found at x=${x0.toFixed(1)} pt, printed at ${printedAt.toFixed(1)}`);
  t.ok(Math.abs(yBottom - 50) < 4, `its box ends at y=${yBottom.toFixed(1)} pt from the top (baseline at 50 pt)`);
});

t.test('PNG → text (wasm) and JPEG → json (wasm)', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: 'wasm' });
  const [text, json] = await Promise.all([
    ocrJob(t, app, { name: 'page.png', data: scans[0]!.png }, { outputFormat: 'text' }),
    ocrJob(t, app, { name: 'page.jpg', data: scans[1]!.jpeg }, { outputFormat: 'json', language: 'eng+fra' }),
  ]);
  t.match(text.job.result, { engine: 'wasm', input_type: 'png', output_format: 'text', pages_ocr: [1] });
  t.match(text.headers['content-type'], /^text\/plain/);
  const plain = text.body.toString('utf8');
  t.ok(plain.endsWith('\n\f'), 'pages end with a form feed');
  t.ok(charAccuracy(expected(0), plain) >= 0.98, plain);

  t.match(json.job.result, { engine: 'wasm', input_type: 'jpeg', language: 'eng+fra' });
  const doc = JSON.parse(json.body.toString('utf8'));
  t.match(doc, { engine: 'wasm', language: 'eng+fra', pages: [{ page: 1, source: 'ocr', width: scans[1]!.width, height: scans[1]!.height, dpi: 300 }] });
  const page = doc.pages[0];
  t.ok(page.mean_confidence > 80);
  const words = page.blocks.flatMap((b: any) => b.lines.flatMap((l: any) => l.words));
  t.ok(words.length >= 20, `${words.length} words`);
  const first = words[0];
  t.equal(first.text, 'Second');
  t.ok(Math.abs(first.bbox[0] - 200) < 15, `first word at x=${first.bbox[0]} px (48 pt at 300 dpi = 200 px)`);
  t.ok(first.confidence > 80 && first.confidence <= 100);
  t.ok(charAccuracy(expected(1), page.text) >= 0.98, page.text);
});

t.test('multi-page TIFF → text, WebP → searchable PDF (native)', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: NATIVE });
  const [tif, wp] = await Promise.all([
    ocrJob(t, app, { name: 'pages.tiff', data: tiff(scans) }, { outputFormat: 'text' }),
    ocrJob(t, app, { name: 'page.webp', data: webp(scans[0]!) }),
  ]);
  t.match(tif.job.result, { input_type: 'tiff', page_count: 2, pages_ocr: [1, 2] });
  const pages = tif.body.toString('utf8').split('\f');
  t.equal(pages.length, 3, 'two pages, each ending with a form feed');
  for (const i of [0, 1]) t.ok(charAccuracy(expected(i), pages[i]!) >= 0.98, pages[i]!);

  t.match(wp.job.result, { input_type: 'webp', page_count: 1 });
  t.ok(charAccuracy(expected(0), pdftotext(t, wp.body)) >= 0.98);
});

t.test('a PDF with a text page and a scanned page: only the scan is OCRed', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: NATIVE });
  const born = ['This page was typed, not scanned.', 'Its text layer stays exactly as it is.'];
  const input = await mixedPdf(born, scans[1]!);
  const pdf = await ocrJob(t, app, { name: 'mixed.pdf', data: input });
  t.match(pdf.job.result, { page_count: 2, pages_ocr: [2], pages_with_text: [1] });
  t.ok(charAccuracy(born.join('\n'), pdftotext(t, pdf.body, 1)) >= 0.99, 'the typed page reads as before');
  t.ok(charAccuracy(expected(1), pdftotext(t, pdf.body, 2)) >= 0.98, 'the scan now has text');
  t.ok(pdf.body.length <= input.length + 8 * 1024);

  const json = await ocrJob(t, app, { name: 'mixed.pdf', data: input }, { outputFormat: 'json', pages: '1-2' });
  const doc = JSON.parse(json.body.toString('utf8'));
  t.same(doc.pages.map((p: any) => [p.page, p.source]), [[1, 'text_layer'], [2, 'ocr']]);
  t.equal(doc.pages[0].blocks[0].lines[0].words[0].text, 'This');
});

t.test('preview: pages, text layers, image resolution and an estimate, no job', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2', OCR_ENGINE: NATIVE });
  const input = await mixedPdf(['Typed text here.'], scans[0]!);
  const res = await submitOcr(app, { name: 'mixed.pdf', data: input }, { dpi: 200 }, '/api/ocr/preview');
  t.equal(res.statusCode, 200, res.body);
  const body = res.json();
  t.match(body, { success: true, input_type: 'pdf', page_count: 2, pages_with_text: [1], pages_to_ocr: 1, engine: NATIVE, language: 'eng' });
  t.equal(body.pages[1].images.length, 1);
  t.ok(Math.abs(body.pages[1].images[0].dpi - 300) <= 1, `scan at ${body.pages[1].images[0].dpi} dpi`);
  t.match(body.pages[1], { will_ocr: true, render_dpi: 200, has_text: false });
  t.ok(body.estimated_seconds > 0);
  t.ok(body.estimated_output_size > input.length, 'a searchable PDF is the input plus its text layer');

  const tif = await submitOcr(app, { name: 'x.tif', data: tiff(scans) }, {}, '/api/ocr/preview');
  t.match(tif.json(), { input_type: 'tiff', page_count: 2, pages_to_ocr: 2, pages: [{ images: [{ dpi: 300 }] }, {}] });
  t.equal(Object.values(await countByStatus(app.store.db)).reduce((a, b) => a + b, 0), 0, 'no job was created');
});

t.test('refused uploads: unsupported language, corrupt or unknown files, bad options', async (t) => {
  const { app } = await startApp(t, { OCR_ENGINE: 'wasm' }, { dispatch: false });
  const png = scans[0]!.png;
  const wp = webp(scans[0]!);
  const cases: [string, { name: string; data: Buffer }, Record<string, unknown>, number, string, RegExp?][] = [
    ['unknown language', { name: 'a.png', data: png }, { language: 'klingon' }, 400, 'UNSUPPORTED_LANGUAGE', /installed: deu, eng, fra, spa/],
    ['one unknown of two', { name: 'a.png', data: png }, { language: 'eng+xyz' }, 400, 'UNSUPPORTED_LANGUAGE', /"xyz"/],
    ['truncated PNG', { name: 'a.png', data: png.subarray(0, png.length / 2) }, {}, 422, 'INVALID_IMAGE'],
    ['PNG header, garbage after', { name: 'a.png', data: Buffer.concat([png.subarray(0, 40), Buffer.alloc(5000, 7)]) }, {}, 422, 'INVALID_IMAGE'],
    ['JPEG header only', { name: 'a.jpg', data: Buffer.concat([scans[0]!.jpeg.subarray(0, 3), Buffer.alloc(100)]) }, {}, 422, 'INVALID_IMAGE'],
    ['truncated WebP', { name: 'a.webp', data: wp.subarray(0, wp.length - 100) }, {}, 422, 'INVALID_IMAGE'],
    ['random bytes named .png', { name: 'a.png', data: Buffer.alloc(3000, 0x41) }, {}, 415, 'INVALID_FILE_TYPE'],
    ['empty file', { name: 'a.png', data: Buffer.alloc(0) }, {}, 422, 'INVALID_PDF'], // as on every file route
    ['bad output format', { name: 'a.png', data: png }, { outputFormat: 'docx' }, 400, 'INVALID_OPTIONS', /outputFormat/],
    ['dpi out of range', { name: 'a.png', data: png }, { dpi: 5000 }, 400, 'INVALID_OPTIONS', /dpi/],
    ['page past the end', { name: 'a.png', data: png }, { pages: '3' }, 400, 'INVALID_OPTIONS', /page 3 does not exist/],
    ['page past the end of a PDF', { name: 'a.pdf', data: imagePdf(scans) }, { pages: '9' }, 400, 'INVALID_OPTIONS', /page 9 does not exist \(the document has 2\)/],
  ];
  for (const [name, file, options, status, code, message] of cases) {
    const res = await submitOcr(app, file, options);
    t.equal(res.statusCode, status, `${name}: ${res.body}`);
    t.equal(res.json().error.code, code, name);
    if (message) t.match(res.json().error.message, message, name);
  }
  const bad = await app.inject({ method: 'POST', url: '/api/ocr', ...(await multipart({ options: '{not json' }, [{ name: 'a.png', data: png }])) });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().error.code, 'INVALID_OPTIONS');
  t.equal(Object.values(await countByStatus(app.store.db)).reduce((a, b) => a + b, 0), 0, 'no job was created');
  t.same(readdirSync(app.storage.stagingRoot), [], 'nothing left on disk');
});
