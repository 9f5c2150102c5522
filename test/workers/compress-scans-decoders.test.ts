/**
 * Whole outputs of the compressor on the scan fixtures (test/helpers/scan-fixtures.ts: 1-bit
 * bilevel, stencil, Decode [1 0] and Indexed scans; a gray JPEG text scan, which becomes a
 * bilevel page; gray and colour scans with photos, which become MRC pages) at medium and high,
 * rendered at 300 dpi, the scans' own resolution (1:1 for the 1-bit layers), by PDFium and
 * pdf.js 6 (test/helpers/decoders.ts) and compared with MuPDF's render of the same output.
 *
 * Tolerance: pages drawn from 1-bit images and flat fills only must match to within 2 levels a
 * pixel (the renderers round gray and colour apart by one: measured mean ≤ 0.09, none off by
 * more than 1). Pages with a JPEG background (MRC) differ where the 75–100 ppi background is
 * upsampled (each renderer interpolates its own way: measured ≤ 0.052 % of the pixels more
 * than 64 levels off, mean ≤ 0.36), so up to 0.2 % and mean 0.6 there; a wrong or inverted
 * mask is far beyond (a bilevel page drawn inverted by pdf.js: 100 %, mean 231).
 * The streams themselves, over a matrix of bitmaps: compress-jbig2-decoders.test.ts.
 */
process.env.PATH = ''; // the compressor runs MuPDF only (no qpdf or Ghostscript candidates)
import t from 'tap';
import { scanFixture, SCAN_DPI, type ScanVariant } from '../helpers/scan-fixtures.js';
import { loadPdfjs, mupdfPages, pdfiumPages, pdfjsPages, type Raster } from '../helpers/decoders.js';
import { compressBytes } from './compress-helpers.js';

// ── Whole compressor outputs on the scan fixtures ──

/** Largest share of pixels (any channel > 64 levels off) and mean difference allowed, per variant. */
const TOLERANCE: Partial<Record<ScanVariant, { share: number; mean: number; max: number }>> = {
  'gray-photo': { share: 0.002, mean: 0.6, max: 255 },
  colour: { share: 0.002, mean: 0.6, max: 255 },
};
const ONE_BIT = { share: 0, mean: 0.2, max: 2 };

function similarity(a: Raster, b: Raster): { share: number; mean: number; max: number; size: boolean } {
  if (a.w !== b.w || a.h !== b.h) return { share: 1, mean: 255, max: 255, size: false };
  let off = 0;
  let sum = 0;
  let max = 0;
  for (let k = 0; k < a.w * a.h; k++) {
    let far = false;
    for (let c = 0; c < a.n; c++) {
      const d = Math.abs(a.px[k * a.n + c]! - b.px[k * a.n + c]!);
      sum += d;
      if (d > max) max = d;
      if (d > 64) far = true;
    }
    if (far) off++;
  }
  return { share: off / (a.w * a.h), mean: sum / a.px.length, max, size: true };
}

const VARIANTS: ScanVariant[] = ['bilevel', 'stencil', 'decode-inverted', 'indexed', 'gray-jpeg', 'gray-photo', 'colour'];

t.test('compressor outputs (scan fixtures at medium and high): PDFium and pdf.js 6 render them as MuPDF does', async (t) => {
  const p = await loadPdfjs('pdfjs-dist', true);
  const seen = new Map<string, string>();
  for (const variant of VARIANTS) {
    const { pdf } = scanFixture(variant, variant === 'colour' ? { seed: 2 } : {});
    for (const level of ['medium', 'high'] as const) {
      const { out } = await compressBytes(t, pdf, { compressionLevel: level });
      const key = out.toString('base64');
      const label = `${variant} at ${level}`;
      if (seen.has(key)) {
        t.pass(`${label}: the same bytes as ${seen.get(key)}, checked there`);
        continue;
      }
      seen.set(key, label);
      const bytes = new Uint8Array(out);
      const scale = SCAN_DPI / 72;
      const [ref] = mupdfPages(bytes, scale, 3);
      const tol = TOLERANCE[variant] ?? ONE_BIT;
      for (const [name, pages] of [['PDFium', await pdfiumPages(bytes, scale, 3)], ['pdf.js 6', await pdfjsPages(p, bytes, scale, 3)]] as const) {
        const s = similarity(pages[0]!, ref!);
        const what = `${(s.share * 100).toFixed(3)} % of pixels off, mean difference ${s.mean.toFixed(3)}, largest ${s.max}`;
        t.ok(s.size && s.share <= tol.share && s.mean <= tol.mean && s.max <= tol.max, `${label}, ${name}: ${what}`);
      }
    }
  }
});
