/**
 * Our JBIG2 (workers/compress/jbig2.ts) and G4 (g4.ts) streams over bitmaps of every awkward
 * size (widths 1–2551 and 10000, heights 1–100 and 10000; white, black, seeded noise, a
 * checkerboard, thresholded text, one black pixel in each corner), each as an /ImageMask
 * stencil and as a 1-bit DeviceGray image with /Decode [0 1] and [1 0] (G4 with BlackIs1 true
 * and false, every other bitmap), read by the decoders people view PDFs with
 * (test/helpers/decoders.ts):
 * - PDFium (Chrome, Edge), pages rendered, against MuPDF's render;
 * - pdf.js 6 (Firefox; its JBIG2 and CCITT decoders are PDFium's, built to WASM), pages
 *   rendered on @napi-rs/canvas, against MuPDF's render;
 * - pdf.js 5's own JavaScript decoders (`useWasm: false`): the decoded image data against the
 *   intended bits (not a render: its Node canvas path drops the last pixels of a 1-bit gray
 *   row whatever the filter, uncompressed too).
 * MuPDF first renders every page exactly as meant (it is the reference).
 *
 * Tolerance: none. Each page is its images' size and each image maps one sample to one device
 * pixel on whole-pixel boundaries, so no renderer anti-aliases or resamples: a pixel more than
 * 64 levels off is a different bit (measured: every pixel equal, mean difference 0).
 * Whole compressor outputs: compress-scans-decoders.test.ts.
 */
import t from 'tap';
import * as mupdf from 'mupdf';
import { encodeJbig2 } from '../../workers/compress/jbig2.js';
import { encodeG4 } from '../../workers/compress/g4.js';
import { renderTextPage, scanLines } from '../helpers/scan-fixtures.js';
import { loadPdfjs, mupdfPages, openPdfjs, pdfiumPages, pdfjsPages, type Raster } from '../helpers/decoders.js';

// ── The matrix: our streams over bitmaps of every awkward size ──

/** Gray text (Helvetica 11 pt) at 300 dpi, thresholded into the text-like bitmaps (from a point inside the first line, so even 1×1 has ink; wider or taller ones wrap around). */
const text = (() => {
  const page = renderTextPage({ lines: scanLines(16, 5), top: 20 });
  return { ...page, ink: (x: number, y: number) => page.px[(y % page.h) * page.w + (x % page.w)]! < 128 };
})();

let seed = 20261206;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) / 65536;

const PATTERNS = ['white', 'black', 'noise', 'checker', 'text', 'corner-tl', 'corner-tr', 'corner-bl', 'corner-br'] as const;
type Pattern = (typeof PATTERNS)[number];

/** One byte a pixel, 1 = ink (black on the page). */
function inkBitmap(p: Pattern, w: number, h: number): Uint8Array {
  const b = new Uint8Array(w * h);
  if (p.startsWith('corner')) {
    b[(p === 'corner-bl' || p === 'corner-br' ? h - 1 : 0) * w + (p === 'corner-tr' || p === 'corner-br' ? w - 1 : 0)] = 1;
    return b;
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      b[y * w + x] = p === 'black' ? 1 : p === 'noise' ? (rand() < 0.5 ? 1 : 0) : p === 'checker' ? (x + y) & 1 : p === 'text' ? +text.ink(x + 130, y + 62) : 0;
    }
  }
  return b;
}

const KINDS = ['stencil', 'gray', 'gray-inverted'] as const; // /ImageMask; DeviceGray /Decode [0 1]; [1 0]
const FILTERS = ['JBIG2', 'G4'] as const;
type Filter = (typeof FILTERS)[number];
/** Bands of one page: every kind in every filter, stacked, a white row between. */
const BANDS = KINDS.flatMap((kind) => FILTERS.map((filter) => ({ kind, filter })));

interface Case { pattern: Pattern; w: number; h: number; ink: Uint8Array }

const cases: Case[] = [];
for (const w of [1, 7, 8, 9, 63, 64, 65, 1275, 2551]) for (const h of [1, 2, 3, 100]) for (const pattern of PATTERNS) cases.push({ pattern, w, h, ink: inkBitmap(pattern, w, h) });
for (const [w, h] of [[10000, 2], [2, 10000]] as const) for (const pattern of ['text', 'noise', 'checker'] as const) cases.push({ pattern, w, h, ink: inkBitmap(pattern, w, h) });

/** One page a case, each band its image at 1:1 (page height 6h + 5). */
async function matrixPdf(): Promise<Uint8Array> {
  const doc = new mupdf.PDFDocument();
  for (const [n, c] of cases.entries()) {
    const { w, h } = c;
    const xo = doc.newDictionary();
    let content = '';
    for (const [i, { kind, filter }] of BANDS.entries()) {
      // The samples: a stencil paints its 0s, DeviceGray [0 1] shows 0 as black, [1 0] shows 1 as black.
      const samples = c.ink.map((v) => (kind === 'gray-inverted' ? v : 1 - v));
      const dict: Record<string, unknown> = { Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: w, Height: h };
      if (kind === 'stencil') dict.ImageMask = true;
      else Object.assign(dict, { ColorSpace: doc.newName('DeviceGray'), BitsPerComponent: 1 });
      if (kind === 'gray-inverted') {
        const d = doc.newArray();
        d.push(1);
        d.push(0);
        dict.Decode = d;
      }
      let img: mupdf.PDFObject;
      if (filter === 'JBIG2') {
        img = doc.addRawStream(encodeJbig2(samples, w, h), { ...dict, Filter: doc.newName('JBIG2Decode') });
      } else {
        // libtiff writes BlackIs1 true streams; every other case codes the inverted samples
        // with the opposite BlackIs1 (the same samples decoded), so both settings are read.
        const flip = n % 2 === 1;
        const g4 = await encodeG4(flip ? samples.map((v) => 1 - v) : samples, w, h);
        const parms = doc.newDictionary();
        parms.put('K', -1);
        parms.put('Columns', w);
        parms.put('Rows', h);
        if (g4.blackIs1 !== flip) parms.put('BlackIs1', true);
        img = doc.addRawStream(g4.data, { ...dict, Filter: doc.newName('CCITTFaxDecode'), DecodeParms: parms });
      }
      xo.put(`I${i}`, img);
      // Band i from the top: PDF's y runs up.
      content += `q ${w} 0 0 ${h} 0 ${(BANDS.length - 1 - i) * (h + 1)} cm /I${i} Do Q\n`;
    }
    const res = doc.newDictionary();
    res.put('XObject', xo);
    doc.insertPage(-1, doc.addPage([0, 0, w, BANDS.length * (h + 1) - 1], 0, res, content));
  }
  const buf = doc.saveToBuffer('');
  const bytes = buf.asUint8Array().slice();
  buf.destroy();
  doc.destroy();
  return bytes;
}

const failures = (): Record<Filter, string[]> => ({ JBIG2: [], G4: [] });

/** Each band of each page against `want` (a raster per page): pixels > 64 levels off, listed per filter. */
function compareBands(name: string, got: Raster[], want: (i: number) => Raster) {
  const bad = failures();
  let pixels = 0;
  let sum = 0;
  for (const [i, c] of cases.entries()) {
    const [g, r] = [got[i]!, want(i)];
    if (g.w !== r.w || g.h !== r.h) {
      for (const f of FILTERS) bad[f].push(`${c.pattern} ${c.w}×${c.h}: page ${g.w}×${g.h}, not ${r.w}×${r.h}`);
      continue;
    }
    for (const [b, { kind, filter }] of BANDS.entries()) {
      let off = 0;
      for (let k = b * (c.h + 1) * c.w, end = k + c.h * c.w; k < end; k++) {
        const d = Math.abs(g.px[k]! - r.px[k]!);
        sum += d;
        if (d > 64) off++;
      }
      pixels += c.w * c.h;
      if (off) bad[filter].push(`${name}: ${kind} ${c.pattern} ${c.w}×${c.h}: ${off} pixels`);
    }
  }
  return { bad, mean: sum / pixels, pixels };
}

/** What each band must look like: ink black, the rest and the rows between white. */
function intended(c: Case): Raster {
  const px = new Uint8Array(c.w * (BANDS.length * (c.h + 1) - 1)).fill(255);
  for (let b = 0; b < BANDS.length; b++) for (let k = 0; k < c.ink.length; k++) if (c.ink[k]) px[b * (c.h + 1) * c.w + k] = 0;
  return { w: c.w, h: px.length / c.w, n: 1, px };
}

const started = Date.now();
const matrix = await matrixPdf();
const built = Date.now() - started;
const reference = mupdfPages(matrix, 1, 1);

t.test(`matrix: ${cases.length} bitmaps × ${BANDS.length} (stencil, Decode [0 1], [1 0]; JBIG2 and G4): MuPDF renders each as meant`, async (t) => {
  t.comment(`built in ${built} ms`);
  const { bad, pixels } = compareBands('MuPDF', reference, (i) => intended(cases[i]!));
  t.ok(pixels > 2_000_000, `${pixels} pixels compared`);
  for (const f of FILTERS) t.same(bad[f], [], `${f}: MuPDF draws the intended bits`);
});

t.test('matrix: PDFium renders every page as MuPDF does', async (t) => {
  const t0 = Date.now();
  const { bad, mean } = compareBands('PDFium', await pdfiumPages(matrix, 1, 1), (i) => reference[i]!);
  for (const f of FILTERS) t.same(bad[f], [], `${f}: no pixel off (mean difference ${mean.toFixed(4)})`);
  t.comment(`PDFium: ${Date.now() - t0} ms`);
});

t.test('matrix: pdf.js 6 (WASM decoders) renders every page as MuPDF does', async (t) => {
  const t0 = Date.now();
  const p = await loadPdfjs('pdfjs-dist', true);
  t.equal(p.lib.version, '6.5.438', 'pdf.js 6.5.438');
  const { bad, mean } = compareBands('pdf.js 6', await pdfjsPages(p, matrix, 1, 1), (i) => reference[i]!);
  for (const f of FILTERS) t.same(bad[f], [], `${f}: no pixel off (mean difference ${mean.toFixed(4)})`);
  t.comment(`pdf.js 6: ${Date.now() - t0} ms`);
});

t.test('matrix: pdf.js 5\'s JavaScript decoders decode every image to the intended bits', async (t) => {
  const t0 = Date.now();
  const p = await loadPdfjs('pdfjs-dist-v5', false);
  t.equal(p.lib.version, '5.6.205', 'pdf.js 5.6.205');
  const task = openPdfjs(p, matrix);
  const doc = await task.promise;
  const bad = failures();
  let images = 0;
  const OPS = p.lib.OPS;
  try {
    for (const [i, c] of cases.entries()) {
      const page = await doc.getPage(i + 1);
      const ops = await page.getOperatorList();
      // The bands in drawing order; data is packed rows, 1 = white on the page, each row padded to a byte.
      const decoded: Uint8Array[] = [];
      for (const [k, fn] of ops.fnArray.entries()) {
        // A 1×1 stencil whose pixel paints is drawn as a filled square, no image data.
        if (fn === OPS.paintSolidColorImageMask) decoded.push(new Uint8Array(1));
        if (fn !== OPS.paintImageXObject && fn !== OPS.paintImageMaskXObject) continue;
        const arg = ops.argsArray[k]![0] as string | { data: string };
        const obj = page.objs.get(typeof arg === 'string' ? arg : arg.data) as { data: Uint8Array; width: number; height: number };
        decoded.push(obj.data);
      }
      const stride = Math.ceil(c.w / 8);
      for (const [b, { kind, filter }] of BANDS.entries()) {
        const data = decoded[b];
        images++;
        if (!data || data.length < stride * c.h) {
          bad[filter].push(`${kind} ${c.pattern} ${c.w}×${c.h}: ${data ? `${data.length} bytes` : 'not drawn'}`);
          continue;
        }
        let off = 0;
        for (let y = 0; y < c.h; y++) for (let x = 0; x < c.w; x++) if (((data[y * stride + (x >> 3)]! >> (7 - (x & 7))) & 1) !== 1 - c.ink[y * c.w + x]!) off++;
        if (off) bad[filter].push(`${kind} ${c.pattern} ${c.w}×${c.h}: ${off} pixels`);
      }
      page.cleanup();
    }
  } finally {
    await task.destroy();
  }
  t.equal(images, cases.length * BANDS.length, 'every image drawn');
  for (const f of FILTERS) t.same(bad[f], [], `${f}: every image's samples as meant`);
  t.comment(`pdf.js 5 (JS decoders): ${Date.now() - t0} ms`);
});
