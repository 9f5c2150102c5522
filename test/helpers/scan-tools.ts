import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as mupdf from 'mupdf';
import { renderPageRgb, SCAN_DPI } from './scan-fixtures.js';
import { charAccuracy } from './ocr-fixtures.js';

/**
 * What the scan tests (compress-scans*.test.ts) read their outputs with: poppler and the
 * installed tesseract, called by their path (the test processes run with an empty PATH, so the
 * compressor uses MuPDF only).
 */
export function tool(cmd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(`/usr/bin/${cmd}`, args, { env: { PATH: '/usr/bin:/bin', OMP_THREAD_LIMIT: '1', ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Runs fn with the bytes written to a file in a fresh directory, removed after. */
export function withFile<T>(bytes: Buffer, fn: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scan-test-'));
  try {
    const file = path.join(dir, 'in.pdf');
    writeFileSync(file, bytes);
    return fn(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Page 1 rendered by poppler at 300 dpi in gray and read by tesseract: with its default page
 * segmentation, or as one block of text (`block`, --psm 6).
 */
export function ocrPage(bytes: Buffer, block = false): string {
  return withFile(bytes, (file, dir) => {
    tool('pdftoppm', ['-r', String(SCAN_DPI), '-gray', '-png', '-singlefile', '-f', '1', '-l', '1', file, path.join(dir, 'page')]);
    return tool('tesseract', [path.join(dir, 'page.png'), '-', ...(block ? ['--psm', '6'] : [])]);
  });
}

/** Character accuracy in percent: 100 × (1 − edit distance / length of the truth). */
export function accuracy(read: string, truth: string): number {
  return 100 * charAccuracy(truth, read);
}

/** Page 1 rendered by MuPDF as 8-bit RGB, rows packed. */
export function renderRgb(bytes: Buffer, dpi: number): { w: number; h: number; px: Uint8Array } {
  const doc = mupdf.Document.openDocument(bytes, 'application/pdf');
  try {
    return renderPageRgb(doc, dpi);
  } finally {
    doc.destroy();
  }
}

/** Mean RGB of a box of a render. */
export function meanRgb(r: { w: number; px: Uint8Array }, box: { x: number; y: number; w: number; h: number }): number[] {
  const acc = [0, 0, 0];
  for (let y = box.y; y < box.y + box.h; y++) for (let x = box.x; x < box.x + box.w; x++) for (let c = 0; c < 3; c++) acc[c]! += r.px[(y * r.w + x) * 3 + c]!;
  return acc.map((v) => v / (box.w * box.h));
}
