import type * as Mupdf from 'mupdf';

/**
 * A PNG's compressed pixels copied into the PDF as they are (img2pdf's trick): PNG's IDAT is
 * a zlib stream with per-row predictors, which is exactly PDF's FlateDecode with
 * /Predictor 15. The page keeps the upload's bytes, so the output is never larger than the
 * input plus the text layer, and nothing is decoded or re-encoded.
 *
 * Only the layouts PDF can express this way: not interlaced, gray / RGB / palette, no
 * transparency (alpha channels and tRNS need a separate mask). Others return undefined and
 * are embedded through MuPDF (decoded, then Flate-compressed).
 */
export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
  palette?: Buffer;
  transparency: boolean;
  idat: Buffer[];
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function readPng(bytes: Buffer): PngInfo | undefined {
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(SIGNATURE)) return undefined;
  const info: PngInfo = { width: 0, height: 0, bitDepth: 0, colorType: 0, interlaced: false, transparency: false, idat: [] };
  let pos = 8;
  while (pos + 12 <= bytes.length) {
    const len = bytes.readUInt32BE(pos);
    const type = bytes.toString('latin1', pos + 4, pos + 8);
    const data = bytes.subarray(pos + 8, pos + 8 + len);
    if (data.length !== len) return undefined; // truncated
    if (type === 'IHDR') {
      info.width = data.readUInt32BE(0);
      info.height = data.readUInt32BE(4);
      info.bitDepth = data[8]!;
      info.colorType = data[9]!;
      info.interlaced = data[12] === 1;
    } else if (type === 'PLTE') info.palette = Buffer.from(data);
    else if (type === 'tRNS') info.transparency = true;
    else if (type === 'IDAT') info.idat.push(data);
    else if (type === 'IEND') return info.width > 0 && info.idat.length > 0 ? info : undefined;
    pos += 12 + len;
  }
  return undefined;
}

/** The PNG as a PDF image XObject without re-encoding, or undefined when it cannot be. */
export function pngPassthrough(doc: Mupdf.PDFDocument, bytes: Buffer): Mupdf.PDFObject | undefined {
  const png = readPng(bytes);
  if (!png || png.interlaced || png.transparency || ![0, 2, 3].includes(png.colorType)) return undefined;
  if (png.colorType === 3 && (!png.palette || png.palette.length % 3 !== 0)) return undefined;
  const colors = png.colorType === 2 ? 3 : 1;
  const dict = doc.newDictionary();
  dict.put('Type', doc.newName('XObject'));
  dict.put('Subtype', doc.newName('Image'));
  dict.put('Width', png.width);
  dict.put('Height', png.height);
  dict.put('BitsPerComponent', png.bitDepth);
  if (png.colorType === 3) {
    const indexed = doc.newArray();
    indexed.push(doc.newName('Indexed'));
    indexed.push(doc.newName('DeviceRGB'));
    indexed.push(png.palette!.length / 3 - 1);
    indexed.push(doc.newByteString(png.palette!));
    dict.put('ColorSpace', indexed);
  } else {
    dict.put('ColorSpace', doc.newName(colors === 3 ? 'DeviceRGB' : 'DeviceGray'));
  }
  dict.put('Filter', doc.newName('FlateDecode'));
  const parms = doc.newDictionary();
  parms.put('Predictor', 15);
  parms.put('Colors', colors);
  parms.put('BitsPerComponent', png.bitDepth);
  parms.put('Columns', png.width);
  dict.put('DecodeParms', parms);
  return doc.addRawStream(Buffer.concat(png.idat), dict);
}
