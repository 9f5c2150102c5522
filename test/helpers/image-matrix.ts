import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import * as mupdf from 'mupdf';
import sharp from 'sharp';
import { buildPdf, photoPixels, scanPixels, pixmapOf } from './image-fixtures.js';
import { encodeJpeg } from './baseline-jpeg.js';
import { grayIccProfile, lzwEncode, packBits, pngPredict, runLengthEncode, tiffPredict } from './stream-encoders.js';

/**
 * The image-encoding matrix of issue #17: one image per page, each a different way PDFs
 * store pictures (colour spaces Device, ICC, Indexed, Lab; filters DCT baseline and
 * progressive, Flate with predictors, LZW, RunLength, JPX, CCITT, JBIG2; 1–16 bits; Decode
 * arrays; soft and colour-key masks; 1×1 to 10,000 px). Generated in memory, a few MB.
 */
export interface MatrixCase {
  name: string;
  /** Bitonal: must come out byte for byte as it went in. */
  bitonal?: boolean;
  add(doc: mupdf.PDFDocument): mupdf.PDFObject;
  /** Pixel size, drawn at 240 ppi (above every level's resampling threshold). */
  w: number;
  h: number;
}

interface Assets { srgb: Uint8Array; cmyk: Uint8Array; g4: { data: Uint8Array; blackIs1: boolean; w: number; h: number }; jpx?: Uint8Array }

function image(doc: mupdf.PDFDocument, w: number, h: number, cs: mupdf.PDFObject | string, bpc: number, data: Uint8Array, filter?: string | string[], extra: Record<string, unknown> = {}): mupdf.PDFObject {
  const dict = doc.newDictionary();
  dict.put('Type', doc.newName('XObject'));
  dict.put('Subtype', doc.newName('Image'));
  dict.put('Width', w);
  dict.put('Height', h);
  dict.put('BitsPerComponent', bpc);
  dict.put('ColorSpace', typeof cs === 'string' ? doc.newName(cs) : cs);
  if (filter) dict.put('Filter', Array.isArray(filter) ? arr(doc, filter.map((f) => doc.newName(f))) : doc.newName(filter));
  for (const [k, v] of Object.entries(extra)) dict.put(k, v as mupdf.PDFObject);
  return doc.addRawStream(data, dict);
}

function arr(doc: mupdf.PDFDocument, items: (number | mupdf.PDFObject)[]): mupdf.PDFObject {
  const a = doc.newArray();
  for (const i of items) a.push(i);
  return a;
}

function icc(doc: mupdf.PDFDocument, profile: Uint8Array, n: number): mupdf.PDFObject {
  return arr(doc, [doc.newName('ICCBased'), doc.addStream(profile, { N: n })]);
}

function mupdfJpeg(cs: 'gray' | 'rgb' | 'cmyk', w: number, h: number, px: Uint8Array, invert = false): Uint8Array {
  const pix = pixmapOf(cs, w, h, px);
  const out = pix.asJPEG(88, invert).slice();
  pix.destroy();
  return out;
}

/** An embedded-organisation JBIG2 stream: page information, one MMR generic region (the G4 data), end of page. */
function jbig2FromG4(g4: Uint8Array, w: number, h: number): Uint8Array {
  const seg = (num: number, type: number, data: Uint8Array) => {
    const head = Buffer.alloc(11);
    head.writeUInt32BE(num, 0);
    head[4] = type;
    head[5] = 0; // no referred-to segments
    head[6] = 1; // page 1
    head.writeUInt32BE(data.length, 7);
    return Buffer.concat([head, data]);
  };
  const page = Buffer.alloc(19);
  page.writeUInt32BE(w, 0);
  page.writeUInt32BE(h, 4);
  const region = Buffer.alloc(18);
  region.writeUInt32BE(w, 0);
  region.writeUInt32BE(h, 4);
  region[17] = 1; // MMR
  return Buffer.concat([seg(0, 48, page), seg(1, 38, Buffer.concat([region, g4])), seg(2, 49, new Uint8Array(0))]);
}

export function matrixCases(a: Assets): MatrixCase[] {
  const photo = (w: number, h: number, n: number, seed: number) => photoPixels(w, h, n, seed);
  const c = (name: string, w: number, h: number, add: (doc: mupdf.PDFDocument) => mupdf.PDFObject, bitonal = false): MatrixCase => ({ name, w, h, add, bitonal });
  const list: MatrixCase[] = [
    c('gray DCT baseline', 401, 277, (d) => image(d, 401, 277, 'DeviceGray', 8, encodeJpeg({ width: 401, height: 277, components: 1, samples: photo(401, 277, 1, 1) }, 90), 'DCTDecode')),
    c('gray DCT progressive', 400, 300, (d) => image(d, 400, 300, 'DeviceGray', 8, mupdfJpeg('gray', 400, 300, photo(400, 300, 1, 2)), 'DCTDecode')),
    c('gray DCT ICCBased N=1 (issue #17)', 640, 828, (d) => image(d, 640, 828, icc(d, grayIccProfile(), 1), 8, mupdfJpeg('gray', 640, 828, scanPixels(640, 828, 3)), 'DCTDecode')),
    c('gray Flate ICCBased N=1', 480, 620, (d) => image(d, 480, 620, icc(d, grayIccProfile(), 1), 8, deflateSync(scanPixels(480, 620, 4)), 'FlateDecode')),
    c('RGB DCT baseline 4:2:0', 333, 217, (d) => image(d, 333, 217, 'DeviceRGB', 8, encodeJpeg({ width: 333, height: 217, components: 3, samples: photo(333, 217, 3, 5) }, 90), 'DCTDecode')),
    c('RGB DCT progressive', 420, 280, (d) => image(d, 420, 280, 'DeviceRGB', 8, mupdfJpeg('rgb', 420, 280, photo(420, 280, 3, 6)), 'DCTDecode')),
    c('RGB DCT ICCBased sRGB', 420, 280, (d) => image(d, 420, 280, icc(d, a.srgb, 3), 8, mupdfJpeg('rgb', 420, 280, photo(420, 280, 3, 7)), 'DCTDecode')),
    c('CMYK DCT', 400, 260, (d) => image(d, 400, 260, 'DeviceCMYK', 8, mupdfJpeg('cmyk', 400, 260, photo(400, 260, 4, 8)), 'DCTDecode')),
    c('CMYK DCT Adobe-inverted', 400, 260, (d) => image(d, 400, 260, 'DeviceCMYK', 8, mupdfJpeg('cmyk', 400, 260, photo(400, 260, 4, 9), true), 'DCTDecode')),
    c('CMYK Flate ICCBased', 360, 240, (d) => image(d, 360, 240, icc(d, a.cmyk, 4), 8, deflateSync(photo(360, 240, 4, 10)), 'FlateDecode')),
    c('CMYK Flate Decode inverted', 360, 240, (d) => image(d, 360, 240, 'DeviceCMYK', 8, deflateSync(photo(360, 240, 4, 11)), 'FlateDecode', { Decode: arr(d, [1, 0, 1, 0, 1, 0, 1, 0]) })),
    c('RGB Flate PNG predictors', 361, 241, (d) => image(d, 361, 241, 'DeviceRGB', 8, deflateSync(pngPredict(photo(361, 241, 3, 12), 361 * 3, 3)), 'FlateDecode', { DecodeParms: parms(d, { Predictor: 15, Colors: 3, Columns: 361, BitsPerComponent: 8 }) })),
    c('RGB Flate TIFF predictor', 360, 240, (d) => image(d, 360, 240, 'DeviceRGB', 8, deflateSync(tiffPredict(photo(360, 240, 3, 13), 360, 3)), 'FlateDecode', { DecodeParms: parms(d, { Predictor: 2, Colors: 3, Columns: 360 }) })),
    c('RGB LZW', 300, 200, (d) => image(d, 300, 200, 'DeviceRGB', 8, lzwEncode(photo(300, 200, 3, 14)), 'LZWDecode')),
    c('gray RunLength', 300, 200, (d) => image(d, 300, 200, 'DeviceGray', 8, runLengthEncode(scanPixels(300, 200, 15)), 'RunLengthDecode')),
    c('gray 2-bit', 333, 221, (d) => image(d, 333, 221, 'DeviceGray', 2, deflateSync(packBits(photo(333, 221, 1, 16), 333, 1, 2)), 'FlateDecode')),
    c('gray 4-bit Decode [1 0]', 333, 221, (d) => image(d, 333, 221, 'DeviceGray', 4, deflateSync(packBits(photo(333, 221, 1, 17), 333, 1, 4)), 'FlateDecode', { Decode: arr(d, [1, 0]) })),
    c('RGB 16-bit', 300, 200, (d) => image(d, 300, 200, 'DeviceRGB', 16, deflateSync(packBits(photo(300, 200, 3, 18), 300, 3, 16)), 'FlateDecode')),
    c('Indexed RGB 8-bit', 300, 200, (d) => indexed(d, 300, 200, 8, 19)),
    c('Indexed RGB 4-bit', 301, 200, (d) => indexed(d, 301, 200, 4, 20)),
    c('Lab', 300, 200, (d) => image(d, 300, 200, arr(d, [d.newName('Lab'), d.newDictionary()]), 8, deflateSync(photo(300, 200, 3, 21)), 'FlateDecode')),
    c('RGB with SMask', 360, 240, (d) => image(d, 360, 240, 'DeviceRGB', 8, deflateSync(photo(360, 240, 3, 22)), 'FlateDecode', { SMask: image(d, 360, 240, 'DeviceGray', 8, deflateSync(photo(360, 240, 1, 23)), 'FlateDecode') })),
    c('RGB with stencil /Mask', 360, 240, (d) => image(d, 360, 240, 'DeviceRGB', 8, deflateSync(photo(360, 240, 3, 32)), 'FlateDecode', { Mask: d.addRawStream(deflateSync(packBits(scanPixels(360, 240, 33), 360, 1, 1)), { Type: d.newName('XObject'), Subtype: d.newName('Image'), Width: 360, Height: 240, ImageMask: d.newBoolean(true), Filter: d.newName('FlateDecode') }) })),
    c('RGB colour-key Mask', 300, 200, (d) => image(d, 300, 200, 'DeviceRGB', 8, deflateSync(photo(300, 200, 3, 24)), 'FlateDecode', { Mask: arr(d, [100, 160, 100, 160, 0, 255]) })),
    c('1×1 RGB', 1, 1, (d) => image(d, 1, 1, 'DeviceRGB', 8, deflateSync(Uint8Array.from([200, 30, 90])), 'FlateDecode')),
    c('1×700 gray', 1, 700, (d) => image(d, 1, 700, 'DeviceGray', 8, deflateSync(photo(1, 700, 1, 25)), 'FlateDecode')),
    c('10,000×120 gray', 10_000, 120, (d) => image(d, 10_000, 120, 'DeviceGray', 8, deflateSync(photo(10_000, 120, 1, 26)), 'FlateDecode')),
    c('1-bit Flate', 500, 240, (d) => image(d, 500, 240, 'DeviceGray', 1, deflateSync(packBits(scanPixels(500, 240, 27), 500, 1, 1)), 'FlateDecode'), true),
    c('CCITT G4', a.g4.w, a.g4.h, (d) => image(d, a.g4.w, a.g4.h, 'DeviceGray', 1, a.g4.data, 'CCITTFaxDecode', { DecodeParms: ccittParms(d, a.g4) }), true),
    c('JBIG2 (MMR region)', a.g4.w, a.g4.h, (d) => image(d, a.g4.w, a.g4.h, 'DeviceGray', 1, jbig2FromG4(a.g4.data, a.g4.w, a.g4.h), 'JBIG2Decode'), true),
  ];
  if (a.jpx) list.push(c('RGB JPX', 320, 200, (d) => image(d, 320, 200, 'DeviceRGB', 8, a.jpx!, 'JPXDecode')));
  return list;
}

function parms(d: mupdf.PDFDocument, entries: Record<string, number>): mupdf.PDFObject {
  const p = d.newDictionary();
  for (const [k, v] of Object.entries(entries)) p.put(k, v);
  return p;
}

function ccittParms(d: mupdf.PDFDocument, g4: Assets['g4']): mupdf.PDFObject {
  const p = d.newDictionary();
  p.put('K', -1);
  p.put('Columns', g4.w);
  p.put('Rows', g4.h);
  p.put('BlackIs1', d.newBoolean(g4.blackIs1));
  return p;
}

function indexed(d: mupdf.PDFDocument, w: number, h: number, bpc: 4 | 8, seed: number): mupdf.PDFObject {
  const colours = 1 << bpc;
  const palette = photoPixels(colours, 1, 3, seed);
  const idx = photoPixels(w, h, 1, seed + 1).map((v) => v >> (8 - bpc));
  const lookup = d.addStream(palette, {});
  return image(d, w, h, arr(d, [d.newName('Indexed'), d.newName('DeviceRGB'), colours - 1, lookup]), bpc, deflateSync(packBits(Uint8Array.from(idx, (v) => v << (8 - bpc)), w, 1, bpc)), 'FlateDecode');
}

/** What the synchronous builders need from asynchronous or external encoders. */
export async function matrixAssets(): Promise<Assets> {
  const profile = async (space: 'srgb' | 'cmyk') => (await sharp(await sharp({ create: { width: 2, height: 2, channels: 3, background: '#888' } }).toColourspace(space).withIccProfile(space).tiff().toBuffer()).metadata()).icc!;
  const [w, h] = [333, 217];
  const text = scanPixels(w, h, 30);
  const tiff = await sharp(Buffer.from(text), { raw: { width: w, height: h, channels: 1 } }).threshold(128).toColourspace('b-w').tiff({ compression: 'ccittfax4', bitdepth: 1 }).toBuffer();
  return { srgb: await profile('srgb'), cmyk: await profile('cmyk'), g4: { ...tiffStrip(tiff), w, h }, ...(jpx() ? { jpx: jpx()! } : {}) };
}

/** The one strip of a little-endian TIFF and whether its 1 bits are black (photometric 1). */
function tiffStrip(t: Buffer): { data: Uint8Array; blackIs1: boolean } {
  const ifd = t.readUInt32LE(4);
  const tags = new Map<number, number>();
  for (let i = 0; i < t.readUInt16LE(ifd); i++) {
    const e = ifd + 2 + i * 12;
    tags.set(t.readUInt16LE(e), t.readUInt16LE(e + 2) === 3 ? t.readUInt16LE(e + 8) : t.readUInt32LE(e + 8));
  }
  const [off, len] = [tags.get(273)!, tags.get(279)!];
  return { data: t.subarray(off, off + len), blackIs1: tags.get(262) === 1 };
}

let jpxBytes: Uint8Array | null | undefined;
/** A JPEG 2000 codestream from OpenJPEG's opj_compress when installed (nothing in npm writes JPX). */
function jpx(): Uint8Array | undefined {
  if (jpxBytes === undefined) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'jpx-'));
    try {
      const px = photoPixels(320, 200, 3, 31);
      writeFileSync(path.join(dir, 'in.ppm'), Buffer.concat([Buffer.from('P6\n320 200\n255\n'), px]));
      execFileSync('opj_compress', ['-i', 'in.ppm', '-o', 'out.jp2', '-r', '20'], { cwd: dir, stdio: 'ignore' });
      jpxBytes = readFileSync(path.join(dir, 'out.jp2'));
    } catch {
      jpxBytes = null;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return jpxBytes ?? undefined;
}

/** The matrix as one PDF: each case on its own page at 240 ppi, with its name as text. */
export function matrixPdf(cases: MatrixCase[]): Buffer {
  return buildPdf((doc) => cases.map((m) => {
    const [w, h] = [Math.max(1, (m.w * 72) / 240), Math.max(1, (m.h * 72) / 240)];
    const scale = Math.min(1, 515 / w, 700 / h);
    return { text: [m.name], draws: [{ ref: m.add(doc), x: 40, y: 60, w: w * scale, h: h * scale }] };
  }));
}
