/**
 * The page scans' split spread over the pool threads (compressScans tasks, then the compress
 * task writing what they found) gives the very bytes of the compress task splitting them all
 * itself, for any number of shares. Real pool threads, generated scans of every kind that
 * splits (bilevel, MRC over a photo, colour with a stamp) plus one that stays a picture.
 * MuPDF only (empty PATH), as in compress-scans.test.ts.
 */
process.env.PATH = '';
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as mupdf from 'mupdf';
import { WorkerPool } from '../../src/pool/pool.js';
import type { CompressOptions, CompressResult, ScanSplitResult } from '../../workers/compress.js';
import { scanFixture, type ScanVariant } from '../helpers/scan-fixtures.js';

t.setTimeout(600_000);

/** One PDF with the one-page fixtures as its pages, in this order. */
function merged(variants: ScanVariant[]): Buffer {
  const out = new mupdf.PDFDocument();
  for (const [i, v] of variants.entries()) {
    const src = new mupdf.PDFDocument(scanFixture(v, { seed: i + 1, ocrLayer: true }).pdf);
    out.graftPage(-1, src, 0);
    src.destroy();
  }
  const bytes = Buffer.from(out.saveToBuffer('compress').asUint8Array());
  out.destroy();
  return bytes;
}

/** The result without the candidates' build times. */
function timeless(r: CompressResult) {
  return { ...r, candidates: r.candidates.map(({ ms: _ms, ...c }) => c) };
}

t.test('scans split on several threads: the same bytes and result as the one-thread split, for 2 and 3 shares', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scan-shares-'));
  const pool = new WorkerPool({ threads: 2, maxQueue: 20 });
  t.teardown(async () => {
    await pool.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const input = path.join(dir, 'in.pdf');
  writeFileSync(input, merged(['gray-jpeg', 'colour', 'gray-photo', 'gray-icc', 'gray-jpeg']));
  const options: CompressOptions = { compressionLevel: 'medium', imageQuality: 80 };
  const compress = async (name: string, scanSplits?: ScanSplitResult[]) => {
    const output = path.join(dir, `${name}.pdf`);
    const result = await pool.run('compress', { input, output, workDir: path.join(dir, `work-${name}`), maxPages: 100, options, ...(scanSplits ? { scanSplits } : {}) });
    return { result, bytes: readFileSync(output) };
  };
  const single = await compress('single');
  t.equal(single.result.engine, 'mupdf');
  t.ok(single.result.pages_bilevel >= 2 && single.result.pages_mrc >= 1, `bilevel ${single.result.pages_bilevel}, mrc ${single.result.pages_mrc}`);
  for (const count of [2, 3]) {
    const shares = await Promise.all(Array.from({ length: count }, (_, shard) => pool.run('compressScans', { input, maxPages: 100, options, shard, count })));
    t.ok(shares.every((s) => s.length > 0), `every share of ${count} split some scan: ${shares.map((s) => s.length).join(', ')}`);
    const splits = shares.flat().sort((a, b) => a.num - b.num);
    t.equal(new Set(splits.map((s) => s.num)).size, splits.length, 'no scan split twice');
    t.equal(splits.filter((s) => s.outcome === 'bilevel' || s.outcome === 'mrc').length, single.result.pages_bilevel + single.result.pages_mrc, 'as many split as the one-thread pass');
    const parallel = await compress(`shares-${count}`, splits);
    t.same(timeless(parallel.result), timeless(single.result), `${count} shares: same result`);
    t.ok(parallel.bytes.equals(single.bytes), `${count} shares: same bytes (${parallel.bytes.length} vs ${single.bytes.length})`);
  }
});

t.test('splits found on another file holding the same scans are taken by content, and only where the content matches', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scan-shares-'));
  const pool = new WorkerPool({ threads: 2, maxQueue: 20 });
  t.teardown(async () => {
    await pool.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  // The source, and another file with the same scans under other object numbers (a text page first).
  const source = merged(['gray-jpeg', 'colour', 'gray-icc']); // gray-icc: a profile the lossless pass repacks
  const other = new mupdf.PDFDocument();
  other.insertPage(-1, other.addPage([0, 0, 200, 200], 0, {}, ''));
  const from = new mupdf.PDFDocument(source);
  for (let i = 0; i < 3; i++) other.graftPage(-1, from, i);
  from.destroy();
  const [src, dst] = [path.join(dir, 'source.pdf'), path.join(dir, 'other.pdf')];
  writeFileSync(src, source);
  writeFileSync(dst, Buffer.from(other.saveToBuffer('compress').asUint8Array()));
  other.destroy();
  const options: CompressOptions = { compressionLevel: 'medium', imageQuality: 80 };
  const compress = async (name: string, scanSplitsByContent?: ScanSplitResult[]) => {
    const output = path.join(dir, `${name}.pdf`);
    const result = await pool.run('compress', { input: dst, output, workDir: path.join(dir, `work-${name}`), maxPages: 100, options, ...(scanSplitsByContent ? { scanSplitsByContent } : {}) });
    return { result, bytes: readFileSync(output) };
  };
  const single = await compress('single');
  const shares = await Promise.all([0, 1].map((shard) => pool.run('compressScans', { input: src, maxPages: 100, options, shard, count: 2, byContent: true })));
  const splits = shares.flat();
  t.equal(splits.filter((s) => s.key).length, 3, 'every scan of the source has a content key');
  const ahead = await compress('ahead', splits);
  t.same(timeless(ahead.result), timeless(single.result), 'same result');
  t.ok(ahead.bytes.equals(single.bytes), `same bytes (${ahead.bytes.length} vs ${single.bytes.length})`);
  // Proof they are taken: told every scan is a picture, the compress task splits none.
  const pictures = splits.map((s) => ({ num: s.num, outcome: 'picture' as const, ...(s.key ? { key: s.key } : {}) }));
  const told = await compress('told', pictures);
  t.equal(told.result.pages_bilevel + told.result.pages_mrc, 0, 'the splits given were used, the ICC-tagged scan too');
  // A key that matches nothing is split as usual.
  const stranger = await compress('stranger', splits.map((s) => ({ ...s, outcome: 'picture' as const, key: `x${s.key}` })));
  t.ok(stranger.bytes.equals(single.bytes), 'unmatched keys: split here, same bytes');
});
