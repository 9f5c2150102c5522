import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as mupdf from 'mupdf';
import type { Test } from 'tap';
import { compress, type CompressOptions, type CompressResult } from '../../workers/compress.js';

/** Runs the compress task in-process on `input`; returns its result and the output bytes. */
export async function compressBytes(t: Test, input: Buffer, options: Partial<CompressOptions> = {}, maxPages = 100): Promise<{ result: CompressResult; out: Buffer }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compress-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'in.pdf'), input);
  const outcome = await compress({
    input: path.join(dir, 'in.pdf'),
    output: path.join(dir, 'out.pdf'),
    workDir: path.join(dir, 'work'),
    maxPages,
    options: { compressionLevel: 'medium', imageQuality: 80, ...options },
  });
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return { result: outcome.value, out: readFileSync(path.join(dir, 'out.pdf')) };
}

function open(bytes: Buffer | Uint8Array): mupdf.PDFDocument {
  const doc = mupdf.Document.openDocument(bytes, 'application/pdf').asPDF();
  if (!doc) throw new Error('not a PDF');
  return doc;
}

/** Per page text, whitespace removed. */
export function pageTexts(bytes: Buffer | Uint8Array): string[] {
  const doc = open(bytes);
  const out: string[] = [];
  for (let i = 0; i < doc.countPages(); i++) {
    const page = doc.loadPage(i);
    out.push(page.toStructuredText('preserve-whitespace').asText().replace(/\s+/g, ''));
    page.destroy();
  }
  doc.destroy();
  return out;
}

export function pageCount(bytes: Buffer | Uint8Array): number {
  const doc = open(bytes);
  const n = doc.countPages();
  doc.destroy();
  return n;
}

export interface ImageInfo {
  num: number;
  width: number;
  height: number;
  colorSpace: string;
  bpc: number;
  filter: string;
  length: number;
  hasSMask: boolean;
}

/** Every image XObject that is not itself a soft mask, in object order. */
export function imagesOf(bytes: Buffer | Uint8Array): ImageInfo[] {
  const doc = open(bytes);
  const masks = new Set<number>();
  const list: ImageInfo[] = [];
  for (let num = 1; num < doc.countObjects(); num++) {
    const ref = doc.newIndirect(num);
    if (!ref.isStream() || ref.get('Subtype').toString() !== '/Image') continue;
    const sm = ref.get('SMask');
    if (sm.isIndirect()) masks.add(sm.asIndirect());
    list.push({
      num,
      width: ref.get('Width').asNumber(),
      height: ref.get('Height').asNumber(),
      colorSpace: ref.get('ColorSpace').toString(),
      bpc: ref.get('BitsPerComponent').isNumber() ? ref.get('BitsPerComponent').asNumber() : 0,
      filter: ref.get('Filter').toString(),
      length: ref.readRawStream().getLength(),
      hasSMask: sm.isIndirect(),
    });
  }
  doc.destroy();
  return list.filter((i) => !masks.has(i.num));
}

/** Page `i` rendered in gray at `dpi`. */
export function renderGray(bytes: Buffer | Uint8Array, i: number, dpi = 36): { w: number; h: number; px: Uint8ClampedArray } {
  const doc = open(bytes);
  const page = doc.loadPage(i);
  const pix = page.toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceGray, false, true);
  const r = { w: pix.getWidth(), h: pix.getHeight(), px: pix.getPixels().slice() };
  pix.destroy();
  page.destroy();
  doc.destroy();
  return r;
}

export function trailerHas(bytes: Buffer | Uint8Array, key: string): boolean {
  const doc = open(bytes);
  const has = !doc.getTrailer().get(key).isNull();
  doc.destroy();
  return has;
}

export { mupdf };
