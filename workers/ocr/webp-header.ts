/**
 * What a WebP's header says (size, lossless or not), read without decoding, for the
 * submission check and the preview: MuPDF cannot open WebP, and decoding it means starting
 * a tesseract.js worker (~1 s in the probe thread). A file whose RIFF size runs past its
 * end is truncated and refused here; damage inside the bitstream fails the job with
 * INVALID_IMAGE when it is decoded.
 */
export interface WebpHeader {
  width: number;
  height: number;
  lossless: boolean;
}

export function readWebpHeader(b: Buffer): WebpHeader | undefined {
  if (b.length < 30 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WEBP') return undefined;
  if (b.readUInt32LE(4) + 8 > b.length) return undefined;
  let header: WebpHeader | undefined;
  for (let pos = 12; pos + 8 <= b.length; ) {
    const type = b.toString('latin1', pos, pos + 4);
    const size = b.readUInt32LE(pos + 4);
    const d = b.subarray(pos + 8, pos + 8 + size);
    if (d.length < size) return undefined;
    if (type === 'VP8X' && size >= 10) {
      header = { width: 1 + d.readUIntLE(4, 3), height: 1 + d.readUIntLE(7, 3), lossless: false };
    } else if (type === 'VP8 ' && size >= 10) {
      if (d[3] !== 0x9d || d[4] !== 0x01 || d[5] !== 0x2a) return undefined;
      return { width: header?.width ?? d.readUInt16LE(6) & 0x3fff, height: header?.height ?? d.readUInt16LE(8) & 0x3fff, lossless: false };
    } else if (type === 'VP8L' && size >= 5) {
      if (d[0] !== 0x2f) return undefined;
      const bits = d.readUInt32LE(1);
      return { width: header?.width ?? (bits & 0x3fff) + 1, height: header?.height ?? ((bits >>> 14) & 0x3fff) + 1, lossless: true };
    }
    pos += 8 + size + (size % 2);
  }
  return undefined;
}
