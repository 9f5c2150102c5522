/**
 * Scan benchmark (issue 18): ours at low, medium and high against `gs -dPDFSETTINGS=/ebook`,
 * `/screen` and `ocrmypdf -O3`, all measured in one run, on generated scans: gray JPEG, gray
 * with an ICC profile, gray with a photo and shading, 1-bit Flate, and colour with a red stamp
 * and a photo. Each of those files has two pages (two different texts) and an invisible OCR text
 * layer, as a scanned and OCR'd office document has; ocrmypdf runs with --skip-text, so it
 * optimises without OCRing again. A sixth file holds the colour office scans (yellow paper, a
 * red stamp over text, red text; three pages, no text layer; --no-office leaves it out).
 *
 *   npx tsc -p tsconfig.build.json && node dist/scripts/bench-scans.js [file.pdf ...]
 *
 * Prints one JSON line per file and tool ({file, tool, size, ratio, ms, ocr, pages_bilevel,
 * pages_mrc}), then medians of size ratios against each anchor and OCR accuracy against the
 * input's. `ocr`: character accuracy (%) of tesseract (installed binary, OMP_THREAD_LIMIT=1)
 * reading each page rendered at 300 dpi by pdftoppm, against the text the scan was made from
 * (for files given on the command line: against tesseract's reading of the input); `ocr_block`
 * the same read as one block of text (--psm 6): around the colour scan's stamp tesseract's page
 * segmentation cuts lines at the ring or not on invisible changes, one block reads them steadily.
 * `input-1px` is the input itself read from its rendering moved one pixel up and left: how far
 * that measure moves with no change to the file at all.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as mupdf from 'mupdf';
import { compress } from '../workers/compress.js';
import type { Level } from '../workers/compress/types.js';
import { officeScan, scanFixture, type OfficeScan, type ScanVariant } from '../test/helpers/scan-fixtures.js';
import { charAccuracy } from '../test/helpers/ocr-fixtures.js';
import { byFileAndTool, median } from './stats.js';

interface Row {
  file: string;
  tool: string;
  size: number | null;
  ratio: number | null;
  ms: number;
  ocr: number | null;
  /** The same, tesseract reading each page as one block of text (--psm 6). */
  ocr_block: number | null;
  pages_bilevel?: number;
  pages_mrc?: number;
  error?: string;
}

const work = mkdtempSync(path.join(os.tmpdir(), 'bench-scans-'));
const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const LEVELS: Level[] = ['low', 'medium', 'high'];

/** Single-page fixtures as one PDF (work/<name>); the truth per page. */
function joined(name: string, parts: { pdf: Buffer; layout: { lines: string[] } }[]): { file: string; truth: string[] } {
  const out = new mupdf.PDFDocument();
  for (const part of parts) {
    const src = mupdf.Document.openDocument(part.pdf, 'application/pdf').asPDF()!;
    out.graftPage(-1, src, 0);
    src.destroy();
  }
  const buf = out.saveToBuffer('compress');
  const file = path.join(work, name);
  writeFileSync(file, buf.asUint8Array());
  buf.destroy();
  out.destroy();
  return { file, truth: parts.map((p) => p.layout.lines.join('\n')) };
}

/** Two single-page fixtures (seeds 1 and 2) as one two-page PDF. */
function twoPages(variant: ScanVariant): { file: string; truth: string[] } {
  return joined(`scan-${variant}.pdf`, [1, 2].map((seed) => scanFixture(variant, { seed, ocrLayer: true })));
}

/** The colour office scans (yellow paper, a stamp over text, red text) as one three-page PDF. */
function officePages(): { file: string; truth: string[] } {
  return joined('scan-office.pdf', (['yellow-paper', 'stamp-over-text', 'red-text'] as OfficeScan[]).map((kind) => officeScan(kind, 1)));
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
}

function pageCount(file: string): number {
  const doc = mupdf.Document.openDocument(new Uint8Array(execFileSync('cat', [file])), 'application/pdf');
  const n = doc.countPages();
  doc.destroy();
  return n;
}

/** `shift`: the page rendered one pixel up and left (its first row and column cropped off). */
function ocrPage(file: string, page: number, block = false, shift = false): string {
  const base = path.join(work, 'ocr');
  const crop = shift ? ['-x', '1', '-y', '1', '-W', '1000000', '-H', '1000000'] : [];
  run('pdftoppm', ['-r', '300', '-gray', '-png', '-singlefile', ...crop, '-f', String(page), '-l', String(page), file, base]);
  return run('tesseract', [`${base}.png`, '-', ...(block ? ['--psm', '6'] : [])]);
}

/** Character accuracy in percent: 100 × (1 − edit distance / length of the truth). */
function accuracy(read: string, truth: string): number {
  return 100 * charAccuracy(truth, read);
}

/** Mean character accuracy over the pages. */
function ocrAccuracy(file: string, truth: string[], block = false, shift = false): number {
  let sum = 0;
  truth.forEach((t, i) => (sum += accuracy(ocrPage(file, i + 1, block, shift), t)));
  return Math.round((sum / truth.length) * 100) / 100;
}

async function benchFile(file: string, truth: string[]): Promise<Row[]> {
  const name = path.basename(file);
  const original = statSync(file).size;
  const rows: Row[] = [];
  const record = (tool: string, out: string | null, ms: number, extra: Partial<Row> = {}, shift = false) => {
    let size: number | null = null;
    let ocr: number | null = null;
    let ocrBlock: number | null = null;
    try {
      if (out) {
        size = statSync(out).size;
        ocr = ocrAccuracy(out, truth, false, shift);
        ocrBlock = ocrAccuracy(out, truth, true, shift);
      }
    } catch (err) {
      extra.error ??= err instanceof Error ? err.message.slice(0, 160) : String(err);
    }
    const row: Row = { file: name, tool, size, ratio: size === null ? null : Math.round((size / original) * 10_000) / 10_000, ms, ocr, ocr_block: ocrBlock, ...extra };
    console.log(JSON.stringify(row));
    rows.push(row);
  };
  record('input', file, 0);
  // The measure's own noise: the input itself, read from a rendering one pixel off.
  record('input-1px', file, 0, {}, true);
  for (const level of LEVELS) {
    const out = path.join(work, `${name}.${level}.pdf`);
    const t0 = performance.now();
    const r = await compress({ input: file, output: out, workDir: work, maxPages: 100_000, options: { compressionLevel: level, imageQuality: 80 } });
    const ms = Math.round(performance.now() - t0);
    if (r.ok) record(`ours-${level}`, out, ms, { pages_bilevel: r.value.pages_bilevel, pages_mrc: r.value.pages_mrc });
    else record(`ours-${level}`, null, ms, { error: r.error.message });
  }
  for (const preset of ['ebook', 'screen']) {
    const out = path.join(work, `${name}.gs-${preset}.pdf`);
    const t0 = performance.now();
    try {
      run('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', `-dPDFSETTINGS=/${preset}`, `-sOutputFile=${out}`, file]);
      record(`gs-${preset}`, out, Math.round(performance.now() - t0));
    } catch (err) {
      record(`gs-${preset}`, null, Math.round(performance.now() - t0), { error: String(err).slice(0, 160) });
    }
  }
  const out = path.join(work, `${name}.ocrmypdf.pdf`);
  const t0 = performance.now();
  try {
    run('ocrmypdf', ['-q', '-O3', '--skip-text', '--output-type', 'pdf', '--jobs', '1', file, out]);
    record('ocrmypdf-O3', out, Math.round(performance.now() - t0));
  } catch (err) {
    record('ocrmypdf-O3', null, Math.round(performance.now() - t0), { error: String(err).slice(0, 160) });
  }
  return rows;
}


function summary(all: Row[]) {
  const byFile = byFileAndTool(all);
  const anchors = ['gs-ebook', 'gs-screen', 'ocrmypdf-O3'];
  console.log('\nmedian over files of size ours/anchor; median size/input; OCR accuracy − input\'s (median, worst), page segmentation and as one block');
  console.log(['tool', ...anchors.map((a) => `÷${a}`), 'size/input', 'ocr Δ median', 'ocr Δ worst', 'block Δ median', 'block Δ worst'].join('\t'));
  for (const tool of [...LEVELS.map((l) => `ours-${l}`), ...anchors, 'input-1px']) {
    const cells = anchors.map((a) => {
      const ratios: number[] = [];
      for (const m of byFile.values()) {
        const [x, y] = [m.get(tool), m.get(a)];
        if (x?.size && y?.size) ratios.push(x.size / y.size);
      }
      return median(ratios).toFixed(3);
    });
    const rows = [...byFile.values()].map((m) => [m.get(tool), m.get('input')] as const).filter(([r, i]) => r && i);
    const deltas = rows.map(([r, i]) => (r!.ocr ?? NaN) - (i!.ocr ?? NaN));
    const block = rows.map(([r, i]) => (r!.ocr_block ?? NaN) - (i!.ocr_block ?? NaN));
    console.log([tool, ...cells, median(rows.map(([r]) => r!.ratio ?? NaN)).toFixed(3), median(deltas).toFixed(2), Math.min(...deltas.filter(Number.isFinite)).toFixed(2), median(block).toFixed(2), Math.min(...block.filter(Number.isFinite)).toFixed(2)].join('\t'));
  }
}

const all: Row[] = [];
try {
  for (const variant of ['gray-jpeg', 'gray-icc', 'gray-photo', 'bilevel', 'colour'] as ScanVariant[]) {
    const { file, truth } = twoPages(variant);
    all.push(...(await benchFile(file, truth)));
  }
  if (!process.argv.includes('--no-office')) {
    const { file, truth } = officePages();
    all.push(...(await benchFile(file, truth)));
  }
  for (const file of files) {
    // No known text: the input's own OCR reading is the truth, so the input scores 100.
    const truth = Array.from({ length: pageCount(file) }, (_, i) => ocrPage(file, i + 1));
    all.push(...(await benchFile(file, truth)));
  }
  summary(all);
} finally {
  rmSync(work, { recursive: true, force: true });
}
