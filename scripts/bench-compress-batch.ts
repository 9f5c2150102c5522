/**
 * Batch throughput (issue #17, point 6): 20 mixed PDFs compressed at `medium` through the real
 * worker pool with 2 threads, all submitted at once, against `gs -dPDFSETTINGS=/ebook` on the
 * same files under `xargs -P 2`, both measured in this run on this machine.
 *
 *   npx tsc -p tsconfig.build.json && node dist/scripts/bench-compress-batch.js [file.pdf ...]
 *
 * Files named on the command line come first; generated fixtures fill the batch up to 20.
 * Prints one JSON line per side ({side, files, ms, bytes}) and the ratios: ours ÷ gs in wall
 * time (≤ 1 means at least gs's throughput) and in total output size.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { WorkerPool } from '../src/pool/pool.js';
import * as fx from '../test/helpers/image-fixtures.js';
import { type1Pdf } from '../test/helpers/font-fixtures.js';
import { issuePdf } from '../test/helpers/scan-fixtures.js';
import { textPdf } from '../test/helpers/fixtures.js';

const BATCH = 20;
const THREADS = 2;
const work = mkdtempSync(path.join(os.tmpdir(), 'bench-batch-'));

async function generated(): Promise<[string, Buffer][]> {
  return [
    ['photos.pdf', fx.photoPdf(3, [2400, 1600])],
    ['flate-photos.pdf', fx.flatePhotoPdf(2)],
    ['gray-scan.pdf', fx.grayScanPdf(2)],
    ['masks.pdf', fx.maskedPdf()],
    ['shared-form.pdf', fx.sharedAndFormPdf()],
    ['cmyk.pdf', fx.cmykPdf()],
    ['tiny-jpeg.pdf', fx.tinyJpegPdf()],
    ['type1.pdf', type1Pdf()],
    ['text-20.pdf', await textPdf(20)],
    ['issue17.pdf', issuePdf()],
  ];
}

async function inputs(): Promise<string[]> {
  const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const list = named.slice(0, BATCH);
  const made = await generated();
  for (let i = 0; list.length < BATCH; i++) {
    const [name, bytes] = made[i % made.length]!;
    const file = path.join(work, `${i}-${name}`);
    writeFileSync(file, bytes);
    list.push(file);
  }
  return list;
}

async function ours(files: string[]): Promise<{ ms: number; bytes: number }> {
  const pool = new WorkerPool({ threads: THREADS, maxQueue: BATCH });
  try {
    // One warm-up job per thread, as a running server has: thread start and WebAssembly
    // compilation are not what this measures.
    await Promise.all(Array.from({ length: THREADS }, (_, i) => run(pool, files[i]!, `warm-${i}`)));
    const t0 = performance.now();
    const sizes = await Promise.all(files.map((f, i) => run(pool, f, String(i))));
    return { ms: Math.round(performance.now() - t0), bytes: sizes.reduce((a, b) => a + b, 0) };
  } finally {
    await pool.destroy();
  }
}

async function run(pool: WorkerPool, input: string, tag: string): Promise<number> {
  const dir = path.join(work, `ours-${tag}`);
  const r = await pool.run('compress', { input, output: path.join(dir, 'out.pdf'), workDir: dir, maxPages: 100_000, options: { compressionLevel: 'medium', imageQuality: 80 } });
  return r.compressed_size;
}

async function ghostscript(files: string[]): Promise<{ ms: number; bytes: number }> {
  const out = path.join(work, 'gs');
  rmSync(out, { recursive: true, force: true });
  await execa('mkdir', ['-p', out]);
  const list = files.map((f, i) => `${f}\n${path.join(out, `${i}.pdf`)}`).join('\n');
  const t0 = performance.now();
  await execa('xargs', ['-d', '\n', '-P', String(THREADS), '-n', '2', 'sh', '-c', 'gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -dPDFSETTINGS=/ebook -sOutputFile="$1" "$0"'], { input: list, reject: false });
  const ms = Math.round(performance.now() - t0);
  return { ms, bytes: readdirSync(out).reduce((a, f) => a + statSync(path.join(out, f)).size, 0) };
}

try {
  const files = await inputs();
  const g = await ghostscript(files);
  console.log(JSON.stringify({ side: 'gs-ebook xargs -P 2', files: files.length, ...g }));
  const o = await ours(files);
  console.log(JSON.stringify({ side: `ours medium, pool of ${THREADS}`, files: files.length, ...o }));
  console.log(`\nbatch of ${files.length}: wall time ours ÷ gs ${(o.ms / g.ms).toFixed(2)} (throughput ×${(g.ms / o.ms).toFixed(2)}), output bytes ours ÷ gs ${(o.bytes / g.bytes).toFixed(3)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
