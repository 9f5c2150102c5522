import type * as Mupdf from 'mupdf';
import { encodeG4, type G4 } from './g4.js';
import { encodeJbig2 } from './jbig2.js';
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
 * Every 1-bit image stored with Flate, LZW, RunLength or no filter re-encoded as CCITT G4
 * (or JBIG2 where smaller, for stencils and gray images: encodeOneBit),
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
  const out = await encodeOneBit(mupdf, unpack(packed, w, h), w, h, jbig2Allowed(ref), packed);
  if (!out || out.data.length >= before) return false;
  ref.writeRawStream(out.data);
  putFilter(doc, ref, out);
  return true;
}

/**
 * JBIG2 for stencil masks and gray images, the two kinds scanners and their PDFs give it; an
 * Indexed or ICC-based 1-bit image keeps G4, which every reader applies to any colour space.
 */
function jbig2Allowed(ref: Mupdf.PDFObject): boolean {
  const mask = ref.get('ImageMask');
  if (mask.isBoolean() && mask.asBoolean()) return true;
  const cs = ref.get('ColorSpace');
  return cs.isName() && ['DeviceGray', 'G'].includes(cs.asName());
}

/** A 1-bit stream as written: CCITT G4 or, where smaller, JBIG2 (generic region, lossless). */
export type OneBit = G4 & { jbig2?: true };

/**
 * `bits` (one byte a pixel, the sample values) as G4 and, when `jbig2`, as JBIG2 too: the
 * smaller of those that MuPDF decodes back to exactly these bits; undefined if neither does.
 */
export async function encodeOneBit(mupdf: MupdfModule, bits: Uint8Array, w: number, h: number, jbig2: boolean, packed = pack(bits, w, h)): Promise<OneBit | undefined> {
  const g4: OneBit = await encodeG4(bits, w, h);
  const options: OneBit[] = [g4];
  if (jbig2) {
    const jb: OneBit = { data: encodeJbig2(bits, w, h), width: w, height: h, blackIs1: false, jbig2: true };
    options.push(jb);
  }
  options.sort((a, b) => a.data.length - b.data.length);
  return options.find((o) => decodesTo(mupdf, o, packed));
}

/** Filter and DecodeParms of a 1-bit stream, put on its dictionary. */
export function putFilter(doc: Mupdf.PDFDocument, dict: Mupdf.PDFObject, m: OneBit): void {
  if (m.jbig2) {
    dict.put('Filter', doc.newName('JBIG2Decode'));
    dict.delete('DecodeParms');
  } else {
    dict.put('Filter', doc.newName('CCITTFaxDecode'));
    dict.put('DecodeParms', g4Parms(doc, m));
  }
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
 * The G4 (or JBIG2) stream decoded by MuPDF, as a reader will with these DecodeParms, equals `packed`
 * bit for bit (each row's padding bits aside).
 */
export function decodesTo(mupdf: MupdfModule, g4: OneBit, packed: Uint8Array): boolean {
  const scratch = new mupdf.PDFDocument();
  try {
    const obj = scratch.addRawStream(g4.data, {});
    putFilter(scratch, obj, g4);
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
