/**
 * The PDF renderers besides MuPDF that the decoder tests compare with (compress-jbig2-decoders
 * and compress-scans-decoders): PDFium (Chrome, Edge) as @hyzyla/pdfium's WASM build, pdf.js 6
 * (Firefox) as pdfjs-dist drawing on @napi-rs/canvas, and pdf.js 5 (pdfjs-dist-v5) whose
 * JavaScript JBIG2 and CCITT decoders the pdf.js ≤ 5 in many web viewers still use. Each
 * renders pages to rows of gray or RGB samples, as MuPDF's `mupdfPages`.
 */
// Before pdf.js (ESM imports are hoisted, so pdf.js is imported dynamically below): pdf.js 6
// asks for Node 22 and uses what Node 20 lacks: Promise.withResolvers, and ArrayBuffer's
// transfer and transferToFixedLength (fonts, large images: without them a page never finishes).
const P = Promise as unknown as { withResolvers?: unknown };
P.withResolvers ??= function withResolvers<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => { resolve = a; reject = b; });
  return { promise, resolve, reject };
};
for (const name of ['transfer', 'transferToFixedLength']) {
  if (name in ArrayBuffer.prototype) continue;
  Object.defineProperty(ArrayBuffer.prototype, name, {
    configurable: true,
    writable: true,
    value(this: ArrayBuffer, length = this.byteLength): ArrayBuffer {
      const out = new ArrayBuffer(length);
      new Uint8Array(out).set(new Uint8Array(this, 0, Math.min(length, this.byteLength)));
      structuredClone(this, { transfer: [this] }); // detached, as transfer leaves it
      return out;
    },
  });
}
import { createRequire } from 'node:module';
import path from 'node:path';
import * as mupdf from 'mupdf';
import { PDFiumLibrary } from '@hyzyla/pdfium';

const require = createRequire(import.meta.url);

export type PdfjsLib = typeof import('pdfjs-dist');
export interface Pdfjs { lib: PdfjsLib; worker: unknown; fonts: string; wasmUrl?: string }

/** A pdf.js build and its worker's message handler (both versions run in this one thread). */
export async function loadPdfjs(pkg: string, wasm: boolean): Promise<Pdfjs> {
  const lib = (await import(`${pkg}/legacy/build/pdf.mjs`)) as PdfjsLib;
  const worker = ((await import(`${pkg}/legacy/build/pdf.worker.mjs`)) as { WorkerMessageHandler: unknown }).WorkerMessageHandler;
  const root = path.join(path.dirname(require.resolve(`${pkg}/legacy/build/pdf.mjs`)), '../..');
  return { lib, worker, fonts: path.join(root, 'standard_fonts') + '/', ...(wasm ? { wasmUrl: path.join(root, 'wasm') + '/' } : {}) };
}

/** pdf.js runs its "worker" in this thread: the one in globalThis.pdfjsWorker, so set it per version. */
export function openPdfjs(p: Pdfjs, data: Uint8Array) {
  (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = { WorkerMessageHandler: p.worker };
  return p.lib.getDocument({ data: data.slice(), verbosity: 0, standardFontDataUrl: p.fonts, useWasm: p.wasmUrl !== undefined, ...(p.wasmUrl ? { wasmUrl: p.wasmUrl } : {}) });
}

export interface Raster { w: number; h: number; n: number; px: Uint8Array }

export function mupdfPages(pdf: Uint8Array, scale: number, n: 1 | 3): Raster[] {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  const out: Raster[] = [];
  for (let i = 0; i < doc.countPages(); i++) {
    const page = doc.loadPage(i);
    const pix = page.toPixmap(mupdf.Matrix.scale(scale, scale), n === 1 ? mupdf.ColorSpace.DeviceGray : mupdf.ColorSpace.DeviceRGB, false);
    const [w, h, stride] = [pix.getWidth(), pix.getHeight(), pix.getStride()];
    const src = pix.getPixels();
    const px = new Uint8Array(w * h * n);
    for (let y = 0; y < h; y++) px.set(src.subarray(y * stride, y * stride + w * n), y * w * n);
    out.push({ w, h, n, px });
    pix.destroy();
    page.destroy();
  }
  doc.destroy();
  return out;
}

let pdfium: Promise<PDFiumLibrary> | undefined;
/** The PDFium library, loaded once a process (its WASM instance holds nothing open). */
export function pdfiumLibrary(): Promise<PDFiumLibrary> {
  return (pdfium ??= PDFiumLibrary.init());
}

export async function pdfiumPages(pdf: Uint8Array, scale: number, n: 1 | 3): Promise<Raster[]> {
  const doc = await (await pdfiumLibrary()).loadDocument(pdf);
  const out: Raster[] = [];
  try {
    for (const page of doc.pages()) {
      const r = await page.render({ scale, colorSpace: n === 1 ? 'Gray' : 'BGRA', render: 'bitmap' });
      const px = new Uint8Array(r.width * r.height * n);
      // The wrapper hands 'BGRA' bitmaps on as R, G, B, A.
      if (n === 1) px.set(r.data.subarray(0, px.length));
      else for (let i = 0; i < r.width * r.height; i++) px.set(r.data.subarray(i * 4, i * 4 + 3), i * 3);
      out.push({ w: r.width, h: r.height, n, px });
    }
  } finally {
    doc.destroy();
  }
  return out;
}

export async function pdfjsPages(p: Pdfjs, pdf: Uint8Array, scale: number, n: 1 | 3): Promise<Raster[]> {
  const task = openPdfjs(p, pdf);
  const doc = await task.promise;
  type Context = { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
  const factory = (doc as unknown as { canvasFactory: { create(w: number, h: number): { canvas: unknown; context: Context }; destroy(c: unknown): void } }).canvasFactory;
  const out: Raster[] = [];
  try {
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const viewport = page.getViewport({ scale });
      const [w, h] = [Math.round(viewport.width), Math.round(viewport.height)];
      const cc = factory.create(w, h);
      await page.render({ canvasContext: cc.context, canvas: cc.canvas, viewport } as unknown as Parameters<typeof page.render>[0]).promise;
      const rgba = cc.context.getImageData(0, 0, w, h).data;
      const px = new Uint8Array(w * h * n);
      for (let k = 0; k < w * h; k++) for (let c = 0; c < n; c++) px[k * n + c] = rgba[k * 4 + c]!;
      out.push({ w, h, n, px });
      factory.destroy(cc);
      page.cleanup();
    }
  } finally {
    await task.destroy();
  }
  return out;
}
