import type { TaskContext } from '../task.js';
import type { Settings } from './levels.js';
import type { UsageScan } from './image-usage.js';
import { recompressImages } from './images.js';
import { dedupeStreams } from './dedupe.js';
import { dropThumbnails, recompressStreams, stripMetadata } from './lossless.js';
import { repackXrefStream } from './xref-stream.js';
import { takeBytes, type MupdfModule } from './mupdf-util.js';
import { openFile } from '../pdf.js';

/**
 * garbage=2 (drop unused objects, renumber): garbage=4 is 20–90× slower on 1,000-page files
 * for ~1 % (dedupe.ts does the part of it that pays). Streams arrive deflated already
 * (lossless.ts); compress + compression-effort=100 (zlib level 9) packs what is left, the new
 * object streams above all; compress-fonts and -images extend it to those streams.
 */
export const SAVE_OPTIONS = 'garbage=2,compress,compress-fonts,compress-images,objstms,compression-effort=100';

export interface MupdfOutput {
  bytes: Uint8Array;
  images: { found: number; recompressed: number };
  /** Where images are drawn: reused by later, stronger attempts on the same input. */
  scan?: UsageScan;
}

/** The in-process candidate: one pass of structural clean-up, image work and a save. */
export function mupdfCandidate(mupdf: MupdfModule, input: string, pages: number, s: Settings, ctx: TaskContext, span: [number, number], scan?: UsageScan): MupdfOutput {
  const doc = openFile(mupdf, input).asPDF(); // read from the file as needed: no copy of it in the heap
  if (!doc) throw new Error('not a PDF');
  try {
    dedupeStreams(doc);
    let images = { found: 0, recompressed: 0 };
    let usage = scan;
    if (s.lossy) {
      dropThumbnails(doc, pages);
      const pass = recompressImages(mupdf, doc, pages, s, ctx, [span[0], span[0] + (span[1] - span[0]) * 0.85], scan);
      images = { found: pass.found, recompressed: pass.recompressed };
      usage = pass.scan;
    }
    if (s.removeMetadata) stripMetadata(doc);
    ctx.progress(span[0] + (span[1] - span[0]) * 0.85, 'saving');
    // Images the pass rewrote as Flate are re-deflated here too (the smaller result stays).
    recompressStreams(mupdf, doc, new Set());
    const bytes = repackXrefStream(takeBytes(doc.saveToBuffer(SAVE_OPTIONS)));
    return { bytes, images, ...(usage ? { scan: usage } : {}) };
  } finally {
    doc.destroy();
    mupdf.emptyStore();
  }
}

/**
 * The lossless finishing pass for another engine's output (Ghostscript 10.0 writes no object
 * streams: R-data.pdf's /ebook output shrinks 309,954 → 229,343 bytes through it).
 */
export function mupdfFinish(mupdf: MupdfModule, input: Uint8Array, removeMetadata: boolean): Uint8Array {
  const doc = mupdf.Document.openDocument(input, 'application/pdf').asPDF();
  if (!doc) throw new Error('not a PDF');
  try {
    if (removeMetadata) stripMetadata(doc);
    recompressStreams(mupdf, doc, new Set());
    return repackXrefStream(takeBytes(doc.saveToBuffer(SAVE_OPTIONS)));
  } finally {
    doc.destroy();
    mupdf.emptyStore();
  }
}
