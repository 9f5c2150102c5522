import sharp from 'sharp';

/**
 * A 1-bit image as a CCITT Group 4 stream for PDF's CCITTFaxDecode (K −1). sharp (libvips,
 * libtiff) writes a G4 TIFF; its one strip is exactly the stream a PDF reader decodes, given
 * Columns, Rows and BlackIs1 from the TIFF's photometric tag. A 2550×3300 text page: ~24 KB.
 */
export interface G4 {
  data: Uint8Array;
  width: number;
  height: number;
  /** PDF's BlackIs1: true when 1 bits are black in the stream (TIFF photometric 1). */
  blackIs1: boolean;
}

/**
 * `bits`: one byte a pixel, the sample value (0 or 1) the PDF reader must decode for it. The
 * TIFF is written as one
 * strip (rows per strip = height, no tiles); anything else (several strips, another
 * compression, fill order 2) is refused, never patched together: strips of G4 each restart from
 * an imaginary white line, so concatenating them would shift every strip but the first.
 */
export async function encodeG4(bits: Uint8Array, width: number, height: number): Promise<G4> {
  const gray = Buffer.allocUnsafe(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = bits[i] ? 255 : 0;
  const tiff = await sharp(gray, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    // libvips writes strips of tileHeight rows (256 by default: 13 strips on a letter page).
    .tiff({ compression: 'ccittfax4', bitdepth: 1, tile: false, tileWidth: width, tileHeight: height, predictor: 'none' })
    .toBuffer();
  const t = readTiff(tiff);
  if (t.compression !== 4) throw new Error(`TIFF compression ${t.compression}, not G4`);
  if (t.width !== width || t.height !== height) throw new Error(`TIFF is ${t.width}×${t.height}, not ${width}×${height}`);
  if (t.offsets.length !== 1 || t.counts.length !== 1) throw new Error(`TIFF has ${t.offsets.length} strips`);
  if (t.fillOrder !== 1) throw new Error(`TIFF fill order ${t.fillOrder}`);
  if (t.photometric !== 0 && t.photometric !== 1) throw new Error(`TIFF photometric ${t.photometric}`);
  const [off, len] = [t.offsets[0]!, t.counts[0]!];
  if (off + len > tiff.length) throw new Error('TIFF strip out of bounds');
  // libtiff codes 0 bits as CCITT white runs and 1 bits as black ones; PDF decodes black runs
  // to 1 with BlackIs1 true. So under photometric 1 (BlackIsZero: a sample of 1 is our 1)
  // BlackIs1 true gives the samples back; under 0 (WhiteIsZero, the samples stored inverted)
  // BlackIs1 false inverts them back. encodeBitonal checks the result by decoding it.
  return { data: new Uint8Array(tiff.subarray(off, off + len)), width, height, blackIs1: t.photometric === 1 };
}

interface TiffInfo {
  width: number;
  height: number;
  compression: number;
  photometric: number;
  fillOrder: number;
  offsets: number[];
  counts: number[];
}

/** The first IFD's entries that matter for extracting a strip (classic TIFF, either byte order). */
export function readTiff(b: Buffer): TiffInfo {
  const le = b.toString('latin1', 0, 2) === 'II';
  if (!le && b.toString('latin1', 0, 2) !== 'MM') throw new Error('not a TIFF');
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  if (u16(2) !== 42) throw new Error('not a classic TIFF');
  const ifd = u32(4);
  const count = u16(ifd);
  const info: TiffInfo = { width: 0, height: 0, compression: 1, photometric: -1, fillOrder: 1, offsets: [], counts: [] };
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    const [tag, type, n] = [u16(e), u16(e + 2), u32(e + 4)];
    const size = type === 3 ? 2 : 4; // SHORT or LONG
    const at = n * size <= 4 ? e + 8 : u32(e + 8);
    const values = Array.from({ length: n }, (_, k) => (size === 2 ? u16(at + k * 2) : u32(at + k * 4)));
    const first = values[0] ?? 0;
    if (tag === 256) info.width = first;
    else if (tag === 257) info.height = first;
    else if (tag === 259) info.compression = first;
    else if (tag === 262) info.photometric = first;
    else if (tag === 266) info.fillOrder = first;
    else if (tag === 273) info.offsets = values;
    else if (tag === 279) info.counts = values;
  }
  return info;
}
