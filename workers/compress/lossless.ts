import { deflateSync, inflateSync } from 'node:zlib';
import type * as Mupdf from 'mupdf';
import { filtersOf, nameOf, type MupdfModule } from './mupdf-util.js';

/** Filters that only pack bytes (no pixel meaning), so their data can be repacked as Flate. */
const REPACKABLE = new Set(['FlateDecode', 'LZWDecode', 'ASCIIHexDecode', 'ASCII85Decode', 'RunLengthDecode', 'Fl', 'LZW', 'AHx', 'A85', 'RL']);
const SKIP_TYPES = new Set(['XRef', 'ObjStm']);

/**
 * Re-deflates every byte-packed stream and keeps, stream by stream, whichever is smaller.
 * Images go through MuPDF's classic zlib: on screenshots it beats Node's bundled zlib
 * (Chromium's fork) by 12 % (a KiCad screenshot: 64,103 vs 72,649 bytes) and what Chromium's
 * printer wrote by 7 %; they are deflated in batches in a scratch document (MuPDF has no
 * direct deflate call). Everything else (content streams, fonts, ICC profiles…) goes through
 * Node's zlib, natively: there it is as small or smaller and ~40 % faster (gnuplot.pdf's 4 MB
 * of decoded streams: 1,233,997 bytes in 147 ms vs 1,239,971 in 245 ms; Ghostscript's output
 * of R-FAQ.pdf: 270,354 vs 272,592). Only smaller results are written back. Skipped:
 * - Flate streams whose zlib header already says level 9 (pdfTeX writes all its streams so):
 *   re-deflating a 1,000-page manual costs seconds for nothing;
 * - image filters (DCT, JPX, JBIG2, CCITT), left alone.
 * - images above a megapixel (see bigImage).
 * Streams with a predictor (DecodeParms) and 1-bit images lose only their Flate layer: the
 * predictor bytes are deflated as they are, and 1-bit images stay Flate (MuPDF's save would
 * turn decoded ones into CCITT G4: 14× larger on a regular pattern in our fixtures).
 * `only`: just these objects (the images a lossy pass wrote as Flate). Writes go through the
 * reference (see images.ts for why).
 */
export function recompressStreams(mupdf: MupdfModule, doc: Mupdf.PDFDocument, level: number, only?: Set<number>): void {
  // keepParms: only the Flate layer was undone (predictor bytes or 1-bit samples kept as they are).
  const batch: { ref: Mupdf.PDFObject; before: number; decoded: Uint8Array; keepParms: boolean }[] = [];
  let batchBytes = 0;
  const write = (b: { ref: Mupdf.PDFObject; before: number; keepParms: boolean }, packed: Uint8Array | undefined) => {
    if (!packed || packed.length >= b.before) return;
    b.ref.writeRawStream(packed);
    b.ref.put('Filter', doc.newName('FlateDecode'));
    if (!b.keepParms) b.ref.delete('DecodeParms');
  };
  const flush = () => {
    if (batch.length === 0) return;
    const out = classicDeflate(mupdf, batch.map((b) => b.decoded), level);
    batch.forEach((b, i) => write(b, out[i]));
    batch.length = 0;
    batchBytes = 0;
  };
  const nums = only ? [...only].sort((a, b) => a - b) : Array.from({ length: doc.countObjects() - 1 }, (_, i) => i + 1);
  for (const num of nums) {
    const ref = doc.newIndirect(num);
    if (!ref.isStream() || SKIP_TYPES.has(nameOf(ref, 'Type') ?? '') || bigImage(ref)) continue;
    const filters = filtersOf(ref);
    if (filters.length === 0 || !filters.every((f) => REPACKABLE.has(f))) continue;
    try {
      const flate = filters.length === 1 && FLATE.has(filters[0]!);
      const keepParms = ref.get('DecodeParms').isDictionary() || ref.get('DecodeParms').isArray() || isBitonal(ref);
      if (keepParms && !flate) continue; // e.g. LZW with a predictor: leave
      const raw = ref.readRawStream();
      const rawBytes = raw.asUint8Array();
      const levelNine = flate && rawBytes.length >= 2 && (rawBytes[1]! & 0xc0) === 0xc0;
      const before = rawBytes.length;
      let decoded: Uint8Array | undefined;
      if (!levelNine && keepParms) decoded = inflateSync(rawBytes);
      raw.destroy();
      if (levelNine) continue;
      if (!decoded) {
        const plain = ref.readStream();
        decoded = plain.asUint8Array().slice();
        plain.destroy();
      }
      if (nameOf(ref, 'Subtype') !== 'Image') {
        write({ ref, before, keepParms }, deflateSync(decoded, { level }));
        continue;
      }
      batch.push({ ref, before, decoded, keepParms });
      batchBytes += decoded.length;
      if (batchBytes > 32e6) flush();
    } catch {
      // A damaged stream is left for MuPDF to copy as it is.
    }
  }
  flush();
}

/**
 * zlib level for a whole document, from the packed bytes of its re-deflatable streams (read
 * from their dictionaries, before any work): level 9 is ~5 % smaller than 6 on screenshots
 * but MuPDF's WebAssembly zlib runs it at ~4 MB/s there (a Chromium-printed KiCad manual,
 * ≈100 MB of decoded screenshots from ~25 MB of streams, spent 17 s in it), so long documents
 * step down. Decided once per document, not as streams go by, so every level deflates each
 * stream the same way (a stronger level never ends up with a larger stream than `low`).
 */
export function zlibLevelFor(doc: Mupdf.PDFDocument): number {
  let packed = 0;
  const n = doc.countObjects();
  for (let num = 1; num < n; num++) {
    const ref = doc.newIndirect(num);
    if (!ref.isStream() || bigImage(ref)) continue;
    const filters = filtersOf(ref);
    if (filters.length === 0 || !filters.every((f) => REPACKABLE.has(f))) continue;
    const len = ref.get('Length');
    if (len.isNumber()) packed += len.asNumber();
  }
  return packed <= 4e6 ? 9 : packed <= 12e6 ? 8 : 6;
}

/**
 * Bytes of streams packed by a filter no lossless tool decodes (DCT, JPX, CCITT, JBIG2): a
 * lossless rewrite (qpdf) keeps them as they are, so its output is at least this large.
 */
export function undecodableBytes(doc: Mupdf.PDFDocument): number {
  let sum = 0;
  const n = doc.countObjects();
  for (let num = 1; num < n; num++) {
    const ref = doc.newIndirect(num);
    if (!ref.isStream()) continue;
    const filters = filtersOf(ref);
    if (!filters.some((f) => !REPACKABLE.has(f))) continue;
    const len = ref.get('Length');
    if (len.isNumber()) sum += len.asNumber();
  }
  return sum;
}

/** Deflates each buffer with MuPDF's zlib at `level`, through one scratch-document save. */
function classicDeflate(mupdf: MupdfModule, buffers: Uint8Array[], level: number): (Uint8Array | undefined)[] {
  const scratch = new mupdf.PDFDocument();
  try {
    const nums = buffers.map((b) => scratch.addStream(b, {}).asIndirect());
    const saved = scratch.saveToBuffer(`compress,compression-effort=${Math.ceil((level * 100) / 9)}`);
    const back = mupdf.Document.openDocument(saved.asUint8Array().slice(), 'application/pdf').asPDF()!;
    saved.destroy();
    try {
      return nums.map((num) => {
        const ref = back.newIndirect(num);
        if (!FLATE.has(filtersOf(ref)[0] ?? '')) return undefined;
        const raw = ref.readRawStream();
        const bytes = raw.asUint8Array().slice();
        raw.destroy();
        return bytes;
      });
    } finally {
      back.destroy();
    }
  } finally {
    scratch.destroy();
  }
}

const FLATE = new Set(['FlateDecode', 'Fl']);

/**
 * Images above a megapixel are left as they are by the lossless pass, at every level: classic
 * zlib in WebAssembly packs noisy samples at ~2–5 MB/s (three 2.2-megapixel gray scans: 0.45 s,
 * for ~3 %), and at lossy levels they are mostly rewritten anyway. Being the same rule at
 * every level keeps `low`'s bytes for them the original's, which a lossy rewrite must beat.
 */
function bigImage(ref: Mupdf.PDFObject): boolean {
  if (nameOf(ref, 'Subtype') !== 'Image') return false;
  const [w, h] = [ref.get('Width'), ref.get('Height')];
  return w.isNumber() && h.isNumber() && w.asNumber() * h.asNumber() > 1e6;
}

function isBitonal(ref: Mupdf.PDFObject): boolean {
  if (ref.get('ImageMask').isBoolean() && ref.get('ImageMask').asBoolean()) return true;
  const bpc = ref.get('BitsPerComponent');
  return bpc.isNumber() && bpc.asNumber() === 1;
}

/**
 * Drops what only editors read: document info, XMP metadata streams (document and object
 * level) and application private data (PieceInfo, often larger than the page itself in
 * Illustrator exports). One pass over the objects.
 */
export function stripMetadata(doc: Mupdf.PDFDocument): void {
  doc.getTrailer().delete('Info');
  const n = doc.countObjects();
  for (let num = 1; num < n; num++) {
    const ref = doc.newIndirect(num);
    if (!ref.isDictionary()) continue;
    if (ref.get('Metadata').isIndirect() || ref.get('Metadata').isStream()) ref.delete('Metadata');
    if (ref.get('PieceInfo').isDictionary()) ref.delete('PieceInfo');
  }
}

/** Page thumbnails: images no current viewer needs (it renders its own). */
export function dropThumbnails(doc: Mupdf.PDFDocument, pages: number): void {
  for (let i = 0; i < pages; i++) {
    const page = doc.findPage(i);
    if (page.get('Thumb').isIndirect()) page.delete('Thumb');
  }
}
