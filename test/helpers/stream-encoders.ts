/**
 * Encoders for the PDF stream filters and sample layouts no library here writes, so the
 * image matrix (image-matrix.ts) can hold every encoding a compressor meets: LZW, RunLength,
 * PNG and TIFF predictors, 1/2/4/16-bit samples, and a minimal gray ICC profile.
 */

/** LZWDecode with EarlyChange 1 (the default), clearing the table when it is full. */
export function lzwEncode(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  const emit = (code: number, width: number) => {
    acc = (acc << width) | code;
    bits += width;
    while (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    acc &= (1 << bits) - 1;
  };
  let table = new Map<number, number>();
  let next = 258;
  let width = 9;
  emit(256, width);
  let w = -1;
  for (const b of data) {
    if (w < 0) { w = b; continue; }
    const hit = table.get(w * 256 + b);
    if (hit !== undefined) { w = hit; continue; }
    emit(w, width);
    table.set(w * 256 + b, next++);
    // The decoder adds its entry one code later than we do; with EarlyChange it widens when
    // its next code reaches 2^width − 1, so we widen when ours reaches 2^width.
    if (next >= 1 << width && width < 12) width++;
    if (next >= 4094) {
      emit(256, width);
      table = new Map();
      next = 258;
      width = 9;
    }
    w = b;
  }
  if (w >= 0) emit(w, width);
  emit(257, width);
  if (bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return Uint8Array.from(out);
}

/** RunLengthDecode: runs of 2–128 equal bytes, literals of up to 128, then EOD. */
export function runLengthEncode(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < data.length) {
    let run = 1;
    while (i + run < data.length && run < 128 && data[i + run] === data[i]) run++;
    if (run >= 2) {
      out.push(257 - run, data[i]!);
      i += run;
      continue;
    }
    const start = i;
    while (i < data.length && i - start < 128 && !(i + 1 < data.length && data[i + 1] === data[i])) i++;
    if (i === start) i++;
    out.push(i - start - 1, ...data.subarray(start, i));
  }
  out.push(128);
  return Uint8Array.from(out);
}

/** Rows of `bytesPerRow` with PNG filters cycling None, Sub, Up, Average, Paeth (Predictor 15). */
export function pngPredict(data: Uint8Array, bytesPerRow: number, bpp: number): Uint8Array {
  const rows = data.length / bytesPerRow;
  const out = new Uint8Array(rows * (bytesPerRow + 1));
  for (let y = 0; y < rows; y++) {
    const type = y % 5;
    out[y * (bytesPerRow + 1)] = type;
    for (let x = 0; x < bytesPerRow; x++) {
      const cur = data[y * bytesPerRow + x]!;
      const a = x >= bpp ? data[y * bytesPerRow + x - bpp]! : 0;
      const b = y > 0 ? data[(y - 1) * bytesPerRow + x]! : 0;
      const c = x >= bpp && y > 0 ? data[(y - 1) * bytesPerRow + x - bpp]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][type]!;
      out[y * (bytesPerRow + 1) + 1 + x] = (cur - pred) & 0xff;
    }
  }
  return out;
}

/** TIFF Predictor 2 for 8-bit samples: each sample minus the same component one pixel left. */
export function tiffPredict(data: Uint8Array, width: number, n: number): Uint8Array {
  const out = new Uint8Array(data.length);
  const row = width * n;
  for (let i = 0; i < data.length; i++) out[i] = (data[i]! - (i % row >= n ? data[i - n]! : 0)) & 0xff;
  return out;
}

/** 8-bit samples repacked at `bpc` bits (1, 2, 4: top bits, rows padded to a byte; 16: ×257, big-endian). */
export function packBits(data: Uint8Array, width: number, n: number, bpc: 1 | 2 | 4 | 8 | 16): Uint8Array {
  if (bpc === 8) return data;
  if (bpc === 16) {
    const out = new Uint8Array(data.length * 2);
    data.forEach((v, i) => { out[2 * i] = v; out[2 * i + 1] = v; });
    return out;
  }
  const rows = data.length / (width * n);
  const rowBytes = Math.ceil((width * n * bpc) / 8);
  const out = new Uint8Array(rows * rowBytes);
  for (let y = 0; y < rows; y++) {
    for (let s = 0; s < width * n; s++) {
      const v = data[y * width * n + s]! >> (8 - bpc);
      const bit = s * bpc;
      out[y * rowBytes + (bit >> 3)]! |= v << (8 - bpc - (bit & 7));
    }
  }
  return out;
}

/** A v2 gray display profile: white point D50, gamma 2.2 (what scanners embed for gray). */
export function grayIccProfile(): Uint8Array {
  const desc = 'Generated gray gamma 2.2';
  const descTag = new Uint8Array(12 + desc.length + 1 + 8 + 3 + 67);
  descTag.set([...'desc'].map((c) => c.charCodeAt(0)));
  new DataView(descTag.buffer).setUint32(8, desc.length + 1);
  descTag.set([...desc].map((c) => c.charCodeAt(0)), 12);
  const pad = (b: Uint8Array) => { const o = new Uint8Array(Math.ceil(b.length / 4) * 4); o.set(b); return o; };
  const xyz = new Uint8Array(20);
  xyz.set([...'XYZ '].map((c) => c.charCodeAt(0)));
  [0.9642, 1, 0.8249].forEach((v, i) => new DataView(xyz.buffer).setInt32(8 + i * 4, Math.round(v * 65536)));
  const curv = new Uint8Array(16);
  curv.set([...'curv'].map((c) => c.charCodeAt(0)));
  new DataView(curv.buffer).setUint32(8, 1);
  new DataView(curv.buffer).setUint16(12, Math.round(2.2 * 256));
  const tags: [string, Uint8Array][] = [['desc', pad(descTag)], ['wtpt', xyz], ['kTRC', curv]];
  let offset = 128 + 4 + tags.length * 12;
  const size = offset + tags.reduce((a, [, b]) => a + b.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, size);
  v.setUint32(8, 0x02100000);
  out.set([...'mntrGRAYXYZ '].map((c) => c.charCodeAt(0)), 12);
  out.set([...'acsp'].map((c) => c.charCodeAt(0)), 36);
  [0.9642, 1, 0.8249].forEach((x, i) => v.setInt32(68 + i * 4, Math.round(x * 65536)));
  v.setUint32(128, tags.length);
  tags.forEach(([sig, body], i) => {
    out.set([...sig].map((c) => c.charCodeAt(0)), 132 + i * 12);
    v.setUint32(136 + i * 12, offset);
    v.setUint32(140 + i * 12, body.length);
    out.set(body, offset);
    offset += body.length;
  });
  return out;
}
