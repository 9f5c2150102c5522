/**
 * Compression benchmark (issue 3): ours at each level against Ghostscript /ebook and /screen
 * and qpdf, on generated fixtures plus any PDFs named on the command line.
 *
 *   npx tsc -p tsconfig.build.json && node dist/scripts/bench-compress.js [--levels=low,medium] [--no-fixtures] [file.pdf ...]
 *
 * Prints one JSON line per file and tool ({file, tool, size, ratio, ms, diff, pages_ok}), then
 * a summary of median ratios ours/anchor. `diff` is the mean absolute gray difference (0–255)
 * against the original, both rendered by MuPDF at 72 dpi (up to 24 pages evenly spread).
 * Our engine is called in-process, exactly as the worker pool calls it.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import * as mupdf from 'mupdf';
import { compress } from '../workers/compress.js';
import type { Level } from '../workers/compress/types.js';
import * as fx from '../test/helpers/image-fixtures.js';
import { type1Pdf } from '../test/helpers/font-fixtures.js';
import { issuePdf } from '../test/helpers/scan-fixtures.js';
import { byFileAndTool, median } from './stats.js';

interface Row {
  file: string;
  tool: string;
  size: number | null;
  ratio: number | null;
  ms: number;
  diff: number | null;
  pages_ok: boolean;
  engine?: string;
  /** Ours only: each candidate as engine:size:ms:verdict (valid, unchecked or the reason). */
  candidates?: string;
  error?: string;
}

const args = process.argv.slice(2);
const levels = (args.find((a) => a.startsWith('--levels='))?.slice(9).split(',') ?? ['low', 'medium', 'high', 'maximum']) as Level[];
const quality = Number(args.find((a) => a.startsWith('--quality='))?.slice(10) ?? 80);
const files = args.filter((a) => !a.startsWith('--'));
const work = mkdtempSync(path.join(os.tmpdir(), 'bench-compress-'));

function fixtures(): string[] {
  if (args.includes('--no-fixtures')) return [];
  const made: Record<string, Buffer> = {
    'fx-photos-3000px.pdf': fx.photoPdf(4, [3000, 2000]),
    'fx-flate-photos.pdf': fx.flatePhotoPdf(3),
    'fx-gray-scan.pdf': fx.grayScanPdf(3),
    'fx-masks-icc-decode.pdf': fx.maskedPdf(),
    'fx-shared-and-form.pdf': fx.sharedAndFormPdf(),
    'fx-cmyk.pdf': fx.cmykPdf(),
    'fx-issue17-scans.pdf': issuePdf(),
    'fx-type1-fonts.pdf': type1Pdf(),
  };
  return Object.entries(made).map(([name, bytes]) => {
    const file = path.join(work, name);
    writeFileSync(file, bytes);
    return file;
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return Math.round(performance.now() - t0);
}

async function gs(input: string, output: string, preset: string) {
  await execa('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', `-dPDFSETTINGS=/${preset}`, `-sOutputFile=${output}`, input], { reject: true });
}

async function qpdf(input: string, output: string) {
  const r = await execa('qpdf', ['--recompress-flate', '--compression-level=9', '--object-streams=generate', input, output], { reject: false });
  if (r.exitCode !== 0 && r.exitCode !== 3) throw new Error(String(r.stderr).split('\n')[0]);
}

/** Renders up to 24 evenly spread pages of both files in gray at 72 dpi; mean |a−b|. */
function visualDiff(a: string, b: string): { diff: number; pagesOk: boolean } {
  const da = mupdf.Document.openDocument(readFileSync(a), 'application/pdf');
  const db = mupdf.Document.openDocument(readFileSync(b), 'application/pdf');
  try {
    const n = da.countPages();
    if (db.countPages() !== n) return { diff: NaN, pagesOk: false };
    const picks = [...new Set(Array.from({ length: Math.min(24, n) }, (_, i) => Math.floor((i * n) / Math.min(24, n))))];
    let sum = 0;
    for (const i of picks) sum += pageDiff(da, db, i);
    return { diff: Math.round((sum / picks.length) * 100) / 100, pagesOk: true };
  } finally {
    da.destroy();
    db.destroy();
  }
}

function pageDiff(da: mupdf.Document, db: mupdf.Document, i: number): number {
  const [pa, pb] = [da.loadPage(i), db.loadPage(i)];
  const xa = pa.toPixmap(mupdf.Matrix.identity, mupdf.ColorSpace.DeviceGray, false, true);
  const xb = pb.toPixmap(mupdf.Matrix.identity, mupdf.ColorSpace.DeviceGray, false, true);
  const [w, h] = [Math.min(xa.getWidth(), xb.getWidth()), Math.min(xa.getHeight(), xb.getHeight())];
  const [sa, sb] = [xa.getPixels(), xb.getPixels()];
  let sum = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) sum += Math.abs(sa[y * xa.getStride() + x]! - sb[y * xb.getStride() + x]!);
  for (const o of [xa, xb, pa, pb]) o.destroy();
  return w * h ? sum / (w * h) : 0;
}

async function benchFile(file: string): Promise<Row[]> {
  const name = path.basename(file);
  const original = statSync(file).size;
  const rows: Row[] = [];
  const record = (tool: string, out: string, ms: number, extra: Partial<Row> = {}) => {
    let size: number | null = null;
    let diff: number | null = null;
    let pagesOk = false;
    try {
      size = statSync(out).size;
      const v = visualDiff(file, out);
      diff = v.diff;
      pagesOk = v.pagesOk;
    } catch (err) {
      extra.error ??= err instanceof Error ? err.message.slice(0, 120) : String(err);
    }
    const row: Row = { file: name, tool, size, ratio: size === null ? null : Math.round((size / original) * 10_000) / 10_000, ms, diff, pages_ok: pagesOk, ...extra };
    console.log(JSON.stringify(row));
    rows.push(row);
  };
  for (const level of levels) {
    const out = path.join(work, `${name}.${level}.pdf`);
    let engine = '';
    let candidates = '';
    let error: string | undefined;
    const ms = await timed(async () => {
      const r = await compress({ input: file, output: out, workDir: work, maxPages: 100_000, options: { compressionLevel: level, imageQuality: quality } });
      if (r.ok) {
        engine = r.value.engine;
        candidates = r.value.candidates.map((c) => `${c.engine}:${c.size ?? '-'}:${c.ms}ms:${c.valid === null ? 'unchecked' : c.valid ? 'valid' : c.reason}`).join(' ');
      } else {
        error = r.error.message;
      }
    });
    record(`ours-${level}`, out, ms, { engine, candidates, ...(error ? { error } : {}) });
  }
  for (const preset of ['ebook', 'screen']) {
    const out = path.join(work, `${name}.gs-${preset}.pdf`);
    let error: string | undefined;
    const ms = await timed(() => gs(file, out, preset).catch((e: Error) => { error = e.message.slice(0, 120); }));
    record(`gs-${preset}`, out, ms, error ? { error } : {});
  }
  const out = path.join(work, `${name}.qpdf.pdf`);
  let error: string | undefined;
  const ms = await timed(() => qpdf(file, out).catch((e: Error) => { error = e.message; }));
  record('qpdf', out, ms, error ? { error } : {});
  return rows;
}


function summary(all: Row[]) {
  const byFile = byFileAndTool(all);
  const anchors = ['gs-ebook', 'gs-screen', 'qpdf'];
  console.log('\nmedian over files of ours/anchor (size | time); median size/original; median diff; larger-than-input count');
  console.log(['tool', ...anchors.map((a) => `÷${a}`), 'size/orig', 'diff', 'ms', 'bigger'].join('\t'));
  const tools = [...levels.map((l) => `ours-${l}`), ...anchors];
  for (const tool of tools) {
    const cells = anchors.map((a) => {
      const size: number[] = [];
      const time: number[] = [];
      for (const m of byFile.values()) {
        const [x, y] = [m.get(tool), m.get(a)];
        if (x?.size && y?.size) size.push(x.size / y.size);
        if (x && y) time.push(x.ms / Math.max(1, y.ms));
      }
      return `${median(size).toFixed(3)} | ${median(time).toFixed(2)}`;
    });
    const rows = [...byFile.values()].map((m) => m.get(tool)).filter((r): r is Row => !!r);
    const bigger = rows.filter((r) => r.ratio !== null && r.ratio > 1).length;
    console.log([tool, ...cells, median(rows.map((r) => r.ratio ?? NaN)).toFixed(3), median(rows.map((r) => r.diff ?? NaN)).toFixed(2), median(rows.map((r) => r.ms)).toFixed(0), bigger].join('\t'));
  }
}

const all: Row[] = [];
try {
  for (const file of [...fixtures(), ...files]) all.push(...(await benchFile(file)));
  summary(all);
} finally {
  rmSync(work, { recursive: true, force: true });
}
