/**
 * How well POST /api/compress/preview predicts the job (issue #17, point 5): for each file,
 * the preview's size and time per level against the job's own result at that level, both run
 * in-process one after another on this machine.
 *
 *   npx tsc -p tsconfig.build.json && node dist/scripts/bench-compress-preview.js [--levels=medium,high] [file.pdf ...]
 *
 * Prints one JSON line per file and level ({file, level, size_ratio, time_ratio}: preview ÷
 * job) and a summary: the range and median of each ratio, and how many fall outside ±15 %
 * (size) and 1.5× (time).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compress } from '../workers/compress.js';
import { compressPreview } from '../workers/compress-preview.js';
import type { Level } from '../workers/compress/types.js';
import * as fx from '../test/helpers/image-fixtures.js';
import { type1Pdf } from '../test/helpers/font-fixtures.js';
import { issuePdf } from '../test/helpers/scan-fixtures.js';

const args = process.argv.slice(2);
const levels = (args.find((a) => a.startsWith('--levels='))?.slice(9).split(',') ?? ['low', 'medium', 'high', 'maximum']) as Level[];
const work = mkdtempSync(path.join(os.tmpdir(), 'bench-preview-'));

function files(): string[] {
  const made: Record<string, Buffer> = { 'fx-photos.pdf': fx.photoPdf(3, [2400, 1600]), 'fx-gray-scan.pdf': fx.grayScanPdf(2), 'fx-issue17.pdf': issuePdf(), 'fx-type1.pdf': type1Pdf(), 'fx-masks.pdf': fx.maskedPdf() };
  const list = Object.entries(made).map(([name, bytes]) => {
    writeFileSync(path.join(work, name), bytes);
    return path.join(work, name);
  });
  return [...list, ...args.filter((a) => !a.startsWith('--'))];
}

const sizeRatios: number[] = [];
const timeRatios: number[] = [];
try {
  for (const file of files()) {
    // Warm-up, as on a running server: WebAssembly compiled, fonts and glyphs cached.
    await compressPreview({ input: file, maxPages: 100_000 });
    const t0 = performance.now();
    const p = await compressPreview({ input: file, maxPages: 100_000 });
    const previewMs = performance.now() - t0;
    if (!p.ok) throw new Error(p.error.message);
    for (const level of levels) {
      const t1 = performance.now();
      const r = await compress({ input: file, output: path.join(work, 'out.pdf'), workDir: work, maxPages: 100_000, options: { compressionLevel: level, imageQuality: 80 } });
      const jobMs = performance.now() - t1;
      if (!r.ok) throw new Error(r.error.message);
      const e = p.value.estimates[level];
      const row = { file: path.basename(file), level, size_ratio: round(e.size / r.value.compressed_size), time_ratio: round((e.seconds * 1000) / jobMs), preview_ms: Math.round(previewMs), job_ms: Math.round(jobMs) };
      sizeRatios.push(row.size_ratio);
      timeRatios.push(row.time_ratio);
      console.log(JSON.stringify(row));
    }
  }
  const sum = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return `${s[0]}–${s[s.length - 1]}, median ${s[Math.floor(s.length / 2)]}`; };
  console.log(`\npreview ÷ job, ${sizeRatios.length} file-levels: size ${sum(sizeRatios)} (outside ±15 %: ${sizeRatios.filter((r) => r < 0.85 || r > 1.15).length}); time ${sum(timeRatios)} (outside 1.5×: ${timeRatios.filter((r) => r < 1 / 1.5 || r > 1.5).length})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
