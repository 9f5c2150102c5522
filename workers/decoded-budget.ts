import { createInflate, inflateSync } from 'node:zlib';
import type * as Mupdf from 'mupdf';
import { engineMessage, TaskError } from './task.js';

/**
 * How far a document's streams may expand when decoded, all together: 1 GiB, or 16× the
 * file if that is more. Real documents stay far below (refman.pdf: 6.5 MB → 23 MB decoded,
 * cplusplus.pdf: 7 MB → 26 MB), while a decompression bomb of 4 GiB is 10 KB behind two
 * Flate filters. Measured on such a bomb as a page's content stream: MuPDF reads content as
 * a stream, so memory stays flat, but every pass over the page (text, render, validation)
 * costs 30–90 s of CPU: a compression ran 85 s and a preview held the one probe thread past
 * its 60 s limit.
 */
export const MIN_DECODED_BUDGET = 1024 ** 3;
const DECODED_PER_FILE_BYTE = 16;

const FLATE = new Set(['FlateDecode', 'Fl']);
const ASCII = new Set(['ASCIIHexDecode', 'AHx', 'ASCII85Decode', 'A85']);
/** Filters whose output size is set by image dimensions (an image stream without /Subtype, e.g. a thumbnail). */
const IMAGE_FILTERS = new Set(['DCTDecode', 'DCT', 'JPXDecode', 'JBIG2Decode', 'CCITTFaxDecode', 'CCF']);

/**
 * Refuses with PDF_TOO_COMPLEX a document whose non-image streams decode past the budget,
 * or holding a Flate image whose data is far longer than its pixels need. MuPDF reads only
 * Width × Height samples of an image, but qpdf (a compression candidate) inflates all of
 * it: 21 s for a 1000×1000 image over 4 GiB of zeros. Real images inflate to their size
 * (+1 byte a row with a PNG predictor); inflating them costs ~40 ms per 10 MB of file
 * (scan-gray-flate-300.pdf, 17 MB: 183 ms).
 */
export async function checkDecodedSize(doc: Mupdf.PDFDocument, fileSize: number, pages: Mupdf.PDFObject[]): Promise<void> {
  const budget = Math.max(MIN_DECODED_BUDGET, fileSize * DECODED_PER_FILE_BYTE);
  const overBudget = (what: string) =>
    new TaskError('PDF_TOO_COMPLEX', `The PDF's ${what} more than ${Math.round(budget / 1024 ** 2)} MB of content (a decompression or form bomb, or more than this server processes).`);
  let total = 0;
  const content = new Map<number, ContentUse>();
  const count = doc.countObjects();
  for (let num = 1; num < count; num++) {
    let ref: Mupdf.PDFObject;
    let image: boolean;
    try {
      ref = doc.newIndirect(num);
      if (!ref.isStream()) continue;
      image = isName(ref.get('Subtype'), 'Image');
    } catch {
      continue; // an object MuPDF cannot parse is never decoded either
    }
    const filters = filterNames(ref);
    if (filters.some((f) => IMAGE_FILTERS.has(f))) continue;
    if (image) {
      const limit = Math.round(imageBytes(ref) * 1.1) + 1024 * 1024;
      if (onlyFlate(filters) && (await decodedSize(ref, filters, limit)) > limit) {
        throw new TaskError('PDF_TOO_COMPLEX', `Image object ${num} holds far more data than its ${ref.get('Width')}×${ref.get('Height')} pixels need (a decompression bomb).`);
      }
      continue;
    }
    const uses = new DoCounter();
    const size = await decodedSize(ref, filters, budget - total, uses);
    total += size;
    if (total > budget) throw overBudget('streams expand to');
    if (uses.names.size) content.set(num, { bytes: size, names: uses.names });
    else if (size) content.set(num, { bytes: size, names: NO_NAMES });
  }
  if (drawnBytes(pages, content, DRAW_BUDGET) > DRAW_BUDGET) {
    throw new TaskError('PDF_TOO_COMPLEX', "The PDF's pages draw their forms over and over: more than 16 GB of content to interpret (a form bomb).");
  }
}

/** What one content stream costs to run: its bytes, and the XObjects it draws (name → times). */
interface ContentUse {
  bytes: number;
  names: Map<string, number>;
}
const NO_NAMES = new Map<string, number>();

/**
 * Counts `/Name Do` in a content stream as it goes by, in chunks (a name is at most 127
 * bytes, so a match never spans more than the kept tail).
 */
class DoCounter {
  readonly names = new Map<string, number>();
  private tail = '';
  private static readonly DO = /\/([^\s/[\]()<>{}%]{1,127})\s*Do(?![^\s/[\]()<>{}%])/g;

  feed(chunk: Uint8Array, last = false): void {
    const text = this.tail + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const keep = last ? 0 : Math.min(text.length, 256);
    for (const m of text.matchAll(DoCounter.DO)) {
      if (m.index! >= text.length - keep) break; // counted with the next chunk
      this.names.set(m[1]!, (this.names.get(m[1]!) ?? 0) + 1);
    }
    this.tail = keep ? text.slice(text.length - keep) : '';
  }
}

/** Running one form costs about as much as interpreting this many bytes (10⁶ forms: 1.6–2.8 s). */
const DRAW_COST = 256;

/**
 * Content the pages may make MuPDF interpret, forms counted each time they are drawn. Far
 * above the stream budget: a heavy real file repeats a form linearly (a 600 KB vector
 * background on 2,000 pages is 1.2 GB drawn, and must open), while a form bomb multiplies
 * (eight levels of ten draws: 10⁸ draws, 25 GB). What passes below it is bounded by
 * JOB_TIMEOUT_S.
 */
const DRAW_BUDGET = 16 * 1024 ** 3;

/**
 * Bytes of content the pages make MuPDF interpret, forms counted each time they are drawn:
 * nested forms that each draw the next ten times are a few hundred bytes, yet eight levels
 * are 10⁸ draws (minutes a page). Stops counting past `limit`.
 */
function drawnBytes(pages: Mupdf.PDFObject[], content: Map<number, ContentUse>, limit: number): number {
  const memo = new Map<string, number>();
  const running = new Set<number>();
  const run = (num: number, resources: Mupdf.PDFObject, resKey: string, depth: number): number => {
    const use = content.get(num);
    if (!use) return DRAW_COST;
    let cost = use.bytes + DRAW_COST;
    if (depth > 64) return Number.POSITIVE_INFINITY;
    for (const [name, times] of use.names) {
      const form = resources.get('XObject').get(name);
      const formNum = form.isIndirect() ? form.asIndirect() : 0;
      if (!formNum || running.has(formNum) || !isName(form.get('Subtype'), 'Form')) continue; // MuPDF skips a form inside itself
      const own = form.get('Resources');
      const [res, key] = own.isDictionary() ? [own, `${formNum}`] : [resources, resKey];
      const memoKey = `${formNum}@${key}`;
      let each = memo.get(memoKey);
      if (each === undefined) {
        running.add(formNum);
        each = run(formNum, res, key, depth + 1);
        running.delete(formNum);
        memo.set(memoKey, each);
      }
      cost += times * each;
      if (cost > limit) return cost;
    }
    return cost;
  };
  let total = 0;
  for (const [i, page] of pages.entries()) {
    if (total > limit) break;
    const resources = inherited(page, 'Resources');
    const contents = page.get('Contents');
    const streams = contents.isArray() ? Array.from({ length: contents.length }, (_, k) => contents.get(k)) : [contents];
    for (const c of streams) if (c.isIndirect()) total += run(c.asIndirect(), resources, `p${i}`, 0);
  }
  return total;
}

/** A page attribute, from the page or the nearest Pages node above it that has it. */
function inherited(page: Mupdf.PDFObject, key: string): Mupdf.PDFObject {
  let node = page;
  for (let up = 0; up < 64; up++) {
    const value = node.get(key);
    if (!value.isNull()) return value;
    node = node.get('Parent');
    if (!node.isDictionary()) break;
  }
  return page.get(key);
}

/** Bytes an image's samples take at most: Width × Height × components × bits, +1 a row for a PNG predictor. */
function imageBytes(ref: Mupdf.PDFObject): number {
  const num = (key: string, fallback: number) => (ref.get(key).isNumber() ? Math.max(0, ref.get(key).asNumber()) : fallback);
  const mask = ref.get('ImageMask').isBoolean() && ref.get('ImageMask').asBoolean();
  const bpc = mask ? 1 : num('BitsPerComponent', 16);
  const n = mask ? 1 : components(ref.get('ColorSpace'));
  return Math.ceil((num('Width', 0) * n * bpc) / 8 + 1) * num('Height', 0);
}

/** Colour components of a colour space (generous where it cannot tell: 4). */
function components(cs: Mupdf.PDFObject): number {
  const name = cs.isName() ? cs.asName() : cs.isArray() && cs.length > 0 && cs.get(0).isName() ? cs.get(0).asName() : '';
  switch (name) {
    case 'DeviceGray': case 'G': case 'CalGray': case 'Indexed': case 'I': case 'Separation':
      return 1;
    case 'DeviceRGB': case 'RGB': case 'CalRGB': case 'Lab':
      return 3;
    case 'ICCBased': {
      const n = cs.get(1).get('N');
      return n.isNumber() ? Math.min(32, Math.max(1, n.asNumber())) : 4;
    }
    case 'DeviceN':
      return cs.get(1).isArray() ? Math.min(32, Math.max(1, cs.get(1).length)) : 32;
    default:
      return 4;
  }
}

function onlyFlate(filters: string[]): boolean {
  const rest = filters.filter((f) => !ASCII.has(f));
  return rest.length > 0 && filters.slice(filters.length - rest.length).every((f) => FLATE.has(f));
}

function isName(obj: Mupdf.PDFObject, name: string): boolean {
  return obj.isName() && obj.asName() === name;
}

function filterNames(ref: Mupdf.PDFObject): string[] {
  const f = ref.get('Filter');
  if (f.isName()) return [f.asName()];
  const names: string[] = [];
  if (f.isArray()) for (let i = 0; i < f.length; i++) names.push(f.get(i).isName() ? f.get(i).asName() : '?');
  return names;
}

/**
 * A stream's decoded size, or a number past `limit` once it is clearly more. Flate layers
 * (after optional ASCII ones) are inflated by zlib here and counted, never held: memory
 * stays at one chunk whatever the bomb. Other chains (LZW, RunLength, rare) are decoded by
 * MuPDF, whose whole-stream reads have their own bomb check; one it refuses counts as over.
 */
async function decodedSize(ref: Mupdf.PDFObject, filters: string[], limit: number, uses?: DoCounter): Promise<number> {
  if (filters.length === 0) {
    // Stored as is: no bigger than the file. A large one (a padding or data stream) is
    // counted by its declared length rather than copied into the WebAssembly heap.
    const declared = ref.get('Length');
    if (declared.isNumber() && declared.asNumber() > UNFILTERED_SCAN_MAX) return declared.asNumber();
    const raw = ref.readRawStream();
    const bytes = raw.asUint8Array();
    uses?.feed(bytes, true);
    const n = bytes.length;
    raw.destroy();
    return n;
  }
  let first = 0;
  while (first < filters.length && ASCII.has(filters[first]!)) first++;
  const rest = filters.slice(first);
  if (rest.length > 0 && rest.every((f) => FLATE.has(f))) {
    const raw = ref.readRawStream(); // decrypted, not decoded
    let data: Uint8Array = raw.asUint8Array().slice();
    raw.destroy();
    for (const f of filters.slice(0, first)) data = f.endsWith('85') ? ascii85(data) : asciiHex(data);
    // One Flate layer expands at most 1032:1 (deflate's ceiling), so a stream past that came
    // through stacked layers, which no writer uses: stop at 64 MB rather than at the budget
    // (the 4 GiB bomb is refused in ~60 ms instead of ~1 s).
    const ratioLimit = Math.max(RATIO_FLOOR, data.length * MAX_FLATE_RATIO);
    const size = await inflatedSize(data, rest.length, Math.min(limit, ratioLimit), uses);
    if (size > ratioLimit) throw new TaskError('PDF_TOO_COMPLEX', `A stream of the PDF expands more than ${MAX_FLATE_RATIO}:1 when decompressed (a decompression bomb).`);
    return size;
  }
  try {
    const buf = ref.readStream();
    const n = buf.getLength();
    uses?.feed(buf.asUint8Array(), true);
    buf.destroy();
    return n;
  } catch (err) {
    return /bomb|alloc|memory/i.test(engineMessage(err)) ? limit + 1 : 0; // a damaged stream decodes to nothing here and later
  }
}

const MAX_FLATE_RATIO = 1100;
/** Unfiltered streams up to this size are read and scanned for the forms they draw. */
const UNFILTERED_SCAN_MAX = 64 * 1024 * 1024;
const RATIO_FLOOR = 64 * 1024 * 1024;

/** A one-layer stream up to this size decoded is inflated in one call (most content streams: tens of KB). */
const SYNC_INFLATE_MAX = 4 * 1024 * 1024;

/**
 * Bytes out of `layers` chained inflates, counted and dropped; stops early past `limit`.
 * Small single layers go through inflateSync, the rest through zlib streams with a chunk
 * size near the expected output: 1,410 content streams of octave.pdf took 266 ms as
 * streams of 1 MiB chunks (a 1 MiB buffer each), 85 ms with fitted chunks, 99 ms at once.
 */
async function inflatedSize(data: Uint8Array, layers: number, limit: number, uses?: DoCounter): Promise<number> {
  if (layers === 1) {
    try {
      const out = inflateSync(data, { maxOutputLength: Math.min(limit + 1, SYNC_INFLATE_MAX) });
      uses?.feed(out, true);
      return out.length;
    } catch {
      // Larger than that, or damaged (the stream below counts up to the damage, as MuPDF reads it).
    }
  }
  const chunkSize = Math.min(1 << 20, Math.max(16 << 10, 2 ** Math.ceil(Math.log2(data.length * 4 + 1))));
  return new Promise((resolve) => {
    const stages = Array.from({ length: layers }, () => createInflate({ chunkSize }));
    let size = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      for (const s of stages) s.destroy();
      resolve(size);
    };
    for (let i = 0; i + 1 < stages.length; i++) stages[i]!.pipe(stages[i + 1]!);
    const last = stages[stages.length - 1]!;
    last.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish();
      uses?.feed(chunk);
    });
    last.on('end', () => {
      uses?.feed(new Uint8Array(0), true);
      finish();
    });
    // A damaged stream (bad header, cut off): what inflated so far is all MuPDF gets too.
    for (const s of stages) s.on('error', finish);
    stages[0]!.end(data);
  });
}

function asciiHex(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data).toString('latin1');
  const hex = text.slice(0, text.indexOf('>') < 0 ? undefined : text.indexOf('>')).replace(/[^0-9a-fA-F]/g, '');
  return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
}

function ascii85(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data).toString('latin1');
  const end = text.indexOf('~>');
  const body = (end < 0 ? text : text.slice(0, end)).replace(/\s/g, '');
  const out = Buffer.alloc(body.length * 4); // 'z' is 4 bytes from one character, the most
  let n = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x7a && digits === 0) {
      n += 4; // four zero bytes, already zero
      continue;
    }
    if (c < 33 || c > 117) continue;
    value = value * 85 + (c - 33);
    if (++digits === 5) {
      out.writeUInt32BE(value >>> 0, n);
      n += 4;
      value = 0;
      digits = 0;
    }
  }
  if (digits > 1) {
    const bytes = digits - 1;
    for (; digits < 5; digits++) value = value * 85 + 84;
    const word = Buffer.alloc(4);
    word.writeUInt32BE(value >>> 0);
    word.copy(out, n, 0, bytes);
    n += bytes;
  }
  return out.subarray(0, n);
}
