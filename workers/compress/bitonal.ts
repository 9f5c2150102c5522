import type * as Mupdf from 'mupdf';
import { encodeG4, type G4 } from './g4.js';
import { filtersOf, isImageStream, type MupdfModule } from './mupdf-util.js';

/** Filters a 1-bit image may already have and still be rewritten (lossless ones, decoded exactly). */
const REWRITABLE = new Set(['FlateDecode', 'Fl', 'LZWDecode', 'LZW', 'RunLengthDecode', 'RL']);
/** Below this many pixels the G4 stream's overhead leaves nothing to win. */
const MIN_PIXELS = 64 * 64;

export interface BitonalPass {
  /** Object numbers rewritten as G4. */
  touched: Set<number>;
  /** 1-bit images in the document, whatever their filter. */
  found: number;
}

/**
 * Every 1-bit image stored with Flate, LZW, RunLength or no filter re-encoded as CCITT G4,
 * at every level (it is lossless). Only the stream and its Filter/DecodeParms change: the
 * samples decode to exactly the same bits, so whatever the dictionary makes of them (a
 * stencil mask and its fill colour, a Decode [1 0] array, an Indexed palette, a colour key or
 * soft mask) renders exactly as before. Each rewrite is decoded back by MuPDF and compared
 * bit for bit with the source's samples; it is written only when equal and smaller.
 */
export async function bitonalToG4(mupdf: MupdfModule, doc: Mupdf.PDFDocument, keep?: Set<number>): Promise<BitonalPass> {
  const touched = new Set<number>();
  const count = doc.countObjects();
  let found = 0;
  for (let num = 1; num < count; num++) {
    const ref = doc.newIndirect(num);
    if (!isImageStream(ref) || !oneBit(ref)) continue;
    found++;
    if (keep?.has(num) || !isBitonal(ref)) continue;
    try {
      if (await rewrite(mupdf, doc, ref)) touched.add(num);
    } catch {
      // an image whose samples MuPDF cannot decode, or sharp cannot encode, stays as it was
    }
    mupdf.emptyStore();
  }
  return { touched, found };
}

function oneBit(ref: Mupdf.PDFObject): boolean {
  const bpc = ref.get('BitsPerComponent');
  const mask = ref.get('ImageMask');
  return (bpc.isNumber() && bpc.asNumber() === 1) || (mask.isBoolean() && mask.asBoolean());
}

function isBitonal(ref: Mupdf.PDFObject): boolean {
  const mask = ref.get('ImageMask');
  const stencil = mask.isBoolean() && mask.asBoolean();
  const bpc = ref.get('BitsPerComponent');
  if (!(bpc.isNumber() ? bpc.asNumber() === 1 : stencil)) return false;
  if (!filtersOf(ref).every((f) => REWRITABLE.has(f))) return false;
  const [w, h] = [ref.get('Width'), ref.get('Height')];
  if (!w.isNumber() || !h.isNumber() || w.asNumber() * h.asNumber() < MIN_PIXELS) return false;
  // One component a pixel: Gray, Indexed, a stencil; not a 1-bit RGB or CMYK oddity.
  const cs = ref.get('ColorSpace');
  if (stencil) return true;
  if (cs.isName()) return ['DeviceGray', 'G', 'CalGray'].includes(cs.asName());
  if (cs.isArray() && cs.length > 0 && cs.get(0).isName()) {
    const family = cs.get(0).asName();
    if (family === 'Indexed' || family === 'I' || family === 'CalGray') return true;
    if (family === 'ICCBased') return cs.get(1).get('N').isNumber() && cs.get(1).get('N').asNumber() === 1;
  }
  return false;
}

async function rewrite(mupdf: MupdfModule, doc: Mupdf.PDFDocument, ref: Mupdf.PDFObject): Promise<boolean> {
  const [w, h] = [ref.get('Width').asNumber(), ref.get('Height').asNumber()];
  const stride = Math.ceil(w / 8);
  const decoded = ref.readStream();
  const packed = decoded.asUint8Array().slice();
  decoded.destroy();
  if (packed.length < stride * h) return false; // short data: readers pad it differently
  const raw = ref.readRawStream();
  const before = raw.getLength();
  raw.destroy();
  const g4 = await encodeG4(unpack(packed, w, h), w, h);
  if (g4.data.length >= before) return false;
  if (!decodesTo(mupdf, g4, packed)) return false;
  ref.writeRawStream(g4.data);
  ref.put('Filter', doc.newName('CCITTFaxDecode'));
  ref.put('DecodeParms', g4Parms(doc, g4));
  return true;
}

export function g4Parms(doc: Mupdf.PDFDocument, g4: G4): Mupdf.PDFObject {
  const parms = doc.newDictionary();
  parms.put('K', -1);
  parms.put('Columns', g4.width);
  parms.put('Rows', g4.height);
  if (g4.blackIs1) parms.put('BlackIs1', true);
  return parms;
}

/** Packed rows (MSB first, rows padded to a byte) to one byte (0 or 1) a pixel. */
export function unpack(packed: Uint8Array, w: number, h: number): Uint8Array {
  const stride = Math.ceil(w / 8);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) out[y * w + x] = (packed[y * stride + (x >> 3)]! >> (7 - (x & 7))) & 1;
  }
  return out;
}

/** One byte a pixel (0 or 1) to packed rows. */
export function pack(bits: Uint8Array, w: number, h: number): Uint8Array {
  const stride = Math.ceil(w / 8);
  const out = new Uint8Array(stride * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) if (bits[y * w + x]) out[y * stride + (x >> 3)]! |= 0x80 >> (x & 7);
  }
  return out;
}

/**
 * The G4 stream decoded by MuPDF, as a reader will with these DecodeParms, equals `packed`
 * bit for bit (each row's padding bits aside).
 */
export function decodesTo(mupdf: MupdfModule, g4: G4, packed: Uint8Array): boolean {
  const scratch = new mupdf.PDFDocument();
  try {
    const obj = scratch.addRawStream(g4.data, { Filter: scratch.newName('CCITTFaxDecode'), DecodeParms: g4Parms(scratch, g4) });
    const buf = obj.readStream();
    const got = buf.asUint8Array();
    try {
      const stride = Math.ceil(g4.width / 8);
      if (got.length < stride * g4.height) return false;
      const full = g4.width >> 3;
      const tail = g4.width & 7 ? (0xff << (8 - (g4.width & 7))) & 0xff : 0;
      for (let y = 0; y < g4.height; y++) {
        const o = y * stride;
        for (let k = 0; k < full; k++) if (got[o + k] !== packed[o + k]) return false;
        if (tail && ((got[o + full]! ^ packed[o + full]!) & tail) !== 0) return false;
      }
      return true;
    } finally {
      buf.destroy();
    }
  } finally {
    scratch.destroy();
  }
}
