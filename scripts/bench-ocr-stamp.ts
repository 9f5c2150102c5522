/**
 * OCR stability around the colour scan's stamp: how much of tesseract's accuracy change on our
 * output is ours, and how much is tesseract's page segmentation reacting to invisible changes.
 * For each seed of `scanFixture('colour', { seed })` (a colour scan with a red ring stamp
 * crossing the text), page 1 rendered by `pdftoppm -r 300 -gray -png` is read by tesseract
 * (installed binary, OMP_THREAD_LIMIT=1) with its default page segmentation and as one block
 * (--psm 6), and scored with charAccuracy (×100) against the text the scan was made from, for:
 *   - input       the input itself;
 *   - jpeg95      the input's rendering saved as JPEG q95, decoded again (sharp) into a PNG;
 *   - noise       the input's rendering with ±1 gray level of noise (seeded per seed);
 *   - shift       the input's rendering moved one pixel right and down (top row and left column
 *                 repeated), same size;
 *   - medium, high  our compressor's output (compress() in process, as bench-scans runs it);
 *   - gs-ebook    `gs -dPDFSETTINGS=/ebook` output.
 * Every image carries 300 dpi (without it tesseract guessed 410 dpi and read 22 points worse,
 * a measurement artefact). The first four differ from the input by nothing a reader would see,
 * so their spread is the measurement's noise floor for the last three.
 *
 *   npx tsc -p tsconfig.build.json && node dist/scripts/bench-ocr-stamp.js --seeds 1-24
 *
 * Options: --seeds 1-24 or 1,5,7 (default 1-12); --psm 3|6 (only the default page segmentation
 * or only one block; default both); --mupdf-only (PATH emptied for the compressor, so it uses
 * no gs or qpdf, as the tests run it; tesseract, pdftoppm and gs are resolved on PATH first).
 * About 20 s per seed with both segmentations (seeds 1–3 in 55 s on a 2-core machine).
 *
 * Prints one JSON line per seed and variant ({seed, variant, size, ms, ocr, ocr_reordered,
 * ocr_block, ocr_block_reordered}; size in bytes for PDFs; ms of the compressor or gs), then per
 * measure a table of the input's accuracy and each variant's difference from it per seed, with
 * mean, median and min of the differences and counts of seeds below −0.5 and above +0.5.
 * `_reordered`: order-insensitive score: each OCR line is assigned to the truth line it best
 * matches (edit distance of the line within the truth line, per character; above 0.5 it stays
 * after the previous line), lines are sorted by that (stable), then charAccuracy as usual; it
 * separates misread characters from lines read in another order around the stamp.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { compress } from '../workers/compress.js';
import type { Level } from '../workers/compress/types.js';
import { scanFixture } from '../test/helpers/scan-fixtures.js';
import { rng } from '../test/helpers/image-fixtures.js';
import { charAccuracy } from '../test/helpers/ocr-fixtures.js';
import { median } from './stats.js';

const VARIANTS = ['input', 'jpeg95', 'noise', 'shift', 'medium', 'high', 'gs-ebook'] as const;
type Variant = (typeof VARIANTS)[number];
const MEASURES = ['ocr', 'ocr_reordered', 'ocr_block', 'ocr_block_reordered'] as const;
type Measure = (typeof MEASURES)[number];

interface Row {
  seed: number;
  variant: Variant;
  size: number | null;
  ms: number | null;
  ocr: number | null;
  ocr_reordered: number | null;
  /** The same, tesseract reading the page as one block of text (--psm 6). */
  ocr_block: number | null;
  ocr_block_reordered: number | null;
  error?: string;
}

function arg(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const a = argv[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
}

/** "1-24", "3" or "1,4,9-12". */
function parseSeeds(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`--seeds: cannot read "${part}" (use 1-24 or 1,5,7)`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    for (let s = a; s <= b; s++) out.push(s);
  }
  return out;
}

const seeds = parseSeeds(arg('--seeds') ?? '1-12');
const psmArg = arg('--psm');
const psms = psmArg === '3' ? [false] : psmArg === '6' ? [true] : [false, true];
const mupdfOnly = process.argv.includes('--mupdf-only');

/** The executable on PATH (as given when the script starts), else /usr/bin's. */
function tool(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return path.join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return `/usr/bin/${name}`;
}
const TOOLS = { pdftoppm: tool('pdftoppm'), tesseract: tool('tesseract'), gs: tool('gs') };
// Captured before --mupdf-only empties PATH for the compressor.
const toolEnv = { ...process.env, OMP_THREAD_LIMIT: '1' };
if (mupdfOnly) process.env.PATH = '';

function run(cmd: keyof typeof TOOLS, args: string[]): string {
  return execFileSync(TOOLS[cmd], args, { encoding: 'utf8', maxBuffer: 256 << 20, env: toolEnv, stdio: ['ignore', 'pipe', 'pipe'] });
}

const work = mkdtempSync(path.join(os.tmpdir(), 'bench-ocr-stamp-'));

/** Page 1 at 300 dpi, gray, as PNG (pdftoppm records 300 dpi in it). */
function render(pdf: string, base: string): string {
  run('pdftoppm', ['-r', '300', '-gray', '-png', '-singlefile', '-f', '1', '-l', '1', pdf, base]);
  return `${base}.png`;
}

/** The input's rendering changed invisibly, as a PNG that records 300 dpi. */
async function perturb(src: string, kind: 'jpeg95' | 'noise' | 'shift', seed: number, out: string): Promise<string> {
  if (kind === 'jpeg95') {
    const jpeg = await sharp(src).jpeg({ quality: 95 }).toBuffer();
    await sharp(jpeg).withMetadata({ density: 300 }).png().toFile(out);
    return out;
  }
  const { data, info } = await sharp(src).raw().toBuffer({ resolveWithObject: true });
  const { width: W, height: H, channels: C } = info;
  const px = Buffer.alloc(data.length);
  if (kind === 'noise') {
    const r = rng(seed * 7 + 1);
    for (let i = 0; i < data.length; i++) px[i] = Math.max(0, Math.min(255, data[i]! + Math.floor(r() * 3) - 1));
  } else {
    // One pixel right and down; the top row and the left column repeated.
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let c = 0; c < C; c++) px[(y * W + x) * C + c] = data[(Math.max(0, y - 1) * W + Math.max(0, x - 1)) * C + c]!;
  }
  await sharp(px, { raw: { width: W, height: H, channels: C } }).withMetadata({ density: 300 }).png().toFile(out);
  return out;
}

/** Least edit distance of o against any substring of t. */
function fit(o: string, t: string): number {
  let prev = new Array<number>(t.length + 1).fill(0);
  for (let i = 1; i <= o.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (o[i - 1] === t[j - 1] ? 0 : 1));
    prev = cur;
  }
  return Math.min(...prev);
}

/** Order-insensitive accuracy (%): OCR lines sorted by the truth line each best matches. */
function reorderedAccuracy(truth: string, read: string): number {
  const lines = truth.split('\n');
  let last = 0;
  const keyed = read
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((o, k) => {
      let best = -1;
      let cost = Infinity;
      lines.forEach((t, i) => {
        const c = fit(o, t) / o.length;
        if (c < cost) [cost, best] = [c, i];
      });
      if (cost > 0.5) best = last; // garbage: stays after the previous line
      last = best;
      return { o, best, k };
    });
  keyed.sort((a, b) => a.best - b.best || a.k - b.k);
  return 100 * charAccuracy(truth, keyed.map((x) => x.o).join('\n'));
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** OCR scores of one image: default segmentation and/or one block, plain and reordered. */
function score(png: string, truth: string): Pick<Row, Measure> {
  const r: Pick<Row, Measure> = { ocr: null, ocr_reordered: null, ocr_block: null, ocr_block_reordered: null };
  for (const block of psms) {
    const read = run('tesseract', [png, '-', ...(block ? ['--psm', '6'] : [])]);
    r[block ? 'ocr_block' : 'ocr'] = round2(100 * charAccuracy(truth, read));
    r[block ? 'ocr_block_reordered' : 'ocr_reordered'] = round2(reorderedAccuracy(truth, read));
  }
  return r;
}

async function benchSeed(seed: number): Promise<Row[]> {
  const dir = path.join(work, `s${seed}`);
  mkdirSync(dir, { recursive: true });
  const { pdf, layout } = scanFixture('colour', { seed });
  const truth = layout.lines.join('\n');
  const input = path.join(dir, 'input.pdf');
  writeFileSync(input, pdf);
  const rows: Row[] = [];
  const record = (variant: Variant, png: string | null, extra: Partial<Row> = {}) => {
    let scores: Partial<Row> = {};
    try {
      if (png) scores = score(png, truth);
    } catch (err) {
      extra.error ??= err instanceof Error ? err.message.slice(0, 160) : String(err);
    }
    const row: Row = { seed, variant, size: null, ms: null, ocr: null, ocr_reordered: null, ocr_block: null, ocr_block_reordered: null, ...scores, ...extra };
    console.log(JSON.stringify(row));
    rows.push(row);
  };
  const inPng = render(input, path.join(dir, 'input'));
  record('input', inPng, { size: pdf.length });
  for (const kind of ['jpeg95', 'noise', 'shift'] as const) record(kind, await perturb(inPng, kind, seed, path.join(dir, `${kind}.png`)));
  for (const level of ['medium', 'high'] as Level[]) {
    const out = path.join(dir, `${level}.pdf`);
    const wd = path.join(dir, `work-${level}`);
    const t0 = performance.now();
    const r = await compress({ input, output: out, workDir: wd, maxPages: 100, options: { compressionLevel: level, imageQuality: 80 } });
    const ms = Math.round(performance.now() - t0);
    rmSync(wd, { recursive: true, force: true });
    if (r.ok) record(level as Variant, render(out, path.join(dir, level)), { size: statSync(out).size, ms });
    else record(level as Variant, null, { ms, error: r.error.message });
  }
  const gsOut = path.join(dir, 'gs-ebook.pdf');
  const t0 = performance.now();
  try {
    run('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', '-dPDFSETTINGS=/ebook', `-sOutputFile=${gsOut}`, input]);
    record('gs-ebook', render(gsOut, path.join(dir, 'gs-ebook')), { size: statSync(gsOut).size, ms: Math.round(performance.now() - t0) });
  } catch (err) {
    record('gs-ebook', null, { ms: Math.round(performance.now() - t0), error: String(err).slice(0, 160) });
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

const fmt = (x: number, signed: boolean) => (Number.isFinite(x) ? (signed && x >= 0 ? '+' : '') + x.toFixed(2) : '-');

function summary(all: Row[], seconds: number) {
  for (const measure of MEASURES) {
    if (all.every((r) => r[measure] === null)) continue;
    console.log(`\n${measure}: input's accuracy (%) and each variant − input, per seed`);
    console.log(['seed', ...VARIANTS].join('\t'));
    const deltas: number[][] = VARIANTS.map(() => []);
    const inputs: number[] = [];
    for (const seed of seeds) {
      const get = (v: Variant) => all.find((r) => r.seed === seed && r.variant === v)?.[measure] ?? NaN;
      const base = get('input');
      inputs.push(base);
      const cells = VARIANTS.map((v, i) => {
        if (i === 0) return fmt(base, false);
        const d = get(v) - base;
        deltas[i]!.push(d);
        return fmt(d, true);
      });
      console.log([seed, ...cells].join('\t'));
    }
    const finite = (xs: number[]) => xs.filter(Number.isFinite);
    const stat = (name: string, f: (xs: number[]) => number, forInput = true) =>
      console.log([name, forInput ? fmt(f(finite(inputs)), false) : '', ...deltas.slice(1).map((d) => fmt(f(finite(d)), true))].join('\t'));
    stat('mean', (xs) => (xs.length ? xs.reduce((a, c) => a + c, 0) / xs.length : NaN));
    stat('median', median);
    stat('min', (xs) => (xs.length ? Math.min(...xs) : NaN));
    console.log(['#<-0.5', '', ...deltas.slice(1).map((d) => String(d.filter((x) => x < -0.5).length))].join('\t'));
    console.log(['#>+0.5', '', ...deltas.slice(1).map((d) => String(d.filter((x) => x > 0.5).length))].join('\t'));
  }
  console.log(`\n${seeds.length} seeds in ${seconds.toFixed(0)} s (${(seconds / Math.max(1, seeds.length)).toFixed(1)} s per seed)`);
}

const all: Row[] = [];
const start = performance.now();
try {
  for (const seed of seeds) all.push(...(await benchSeed(seed)));
  summary(all, (performance.now() - start) / 1000);
} finally {
  rmSync(work, { recursive: true, force: true });
}
