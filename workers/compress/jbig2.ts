/**
 * A 1-bit image as a JBIG2 stream for PDF's JBIG2Decode: one page holding one immediate
 * lossless generic region, arithmetic-coded with template 0 and typical prediction (TPGDON).
 * Generic region coding is lossless (every pixel is coded; no symbol matching, so no letter can
 * be swapped for a look-alike) and codes a text mask in ~0.6× the bytes of G4 (its contexts
 * see 16 neighbours where G4 codes runs). Callers decode the stream back with MuPDF and compare
 * it bit for bit before writing it (bitonal.ts decodesTo).
 *
 * `bits`: one byte a pixel, the sample value the PDF reader must decode (0 or 1). JBIG2 codes
 * black as 1 and PDF's filter hands black on as sample 0, so 1 − sample is coded.
 */
export function encodeJbig2(bits: Uint8Array, width: number, height: number): Uint8Array {
  const body = genericRegion(bits, width, height);
  const pageInfo = new Uint8Array(19);
  const pv = new DataView(pageInfo.buffer);
  pv.setUint32(0, width);
  pv.setUint32(4, height);
  // Resolution unknown (0, 0); flags 0: default pixel 0 (white), combination operator OR.
  const region = new Uint8Array(17 + 1 + 8 + body.length);
  const rv = new DataView(region.buffer);
  rv.setUint32(0, width);
  rv.setUint32(4, height);
  // x, y = 0; external combination operator 0 (OR).
  region[17] = 0b1000; // MMR 0, GBTEMPLATE 0, TPGDON 1
  region.set([3, -1, -3, -1, 2, -2, -2, -2].map((v) => v & 0xff), 18); // nominal AT pixels
  region.set(body, 26);
  // No end-of-page segment: poppler (22.12) reports the one after an immediate region as an
  // unknown segment; the page ends with the stream either way.
  return concat([segment(0, 48, pageInfo), segment(1, 38, region)]);
}

/** A segment: header (number, type, no referred-to segments, page 1) and data. */
function segment(num: number, type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(11 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, num);
  out[4] = type; // page association in one byte, not deferred
  out[5] = 0; // no referred-to segments, no retain bits
  out[6] = 1; // page 1
  v.setUint32(7, data.length);
  out.set(data, 11);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The context in which TPGDON's "this row repeats the one above" flag is coded (template 0). */
const SLTP_CONTEXT = 0x9b25;

function genericRegion(bits: Uint8Array, w: number, h: number): Uint8Array {
  // Rows of JBIG2 pixels (1 = black) with 4 columns of 0 on the left and 3 on the right, so the
  // context reads never leave a row (pixels outside the region are 0); two empty rows above.
  const stride = w + 7;
  const img = new Uint8Array(stride * (h + 2));
  for (let y = 0; y < h; y++) {
    const row = (y + 2) * stride + 4;
    for (let x = 0; x < w; x++) img[row + x] = bits[y * w + x] ? 0 : 1;
  }
  const mq = new MqEncoder(1 << 16);
  let ltp = 0;
  for (let y = 0; y < h; y++) {
    const r0 = (y + 2) * stride + 4; // this row
    const r1 = r0 - stride; // the row above
    const r2 = r1 - stride;
    let same = y > 0 ? 1 : 0;
    if (same) for (let x = 0; x < w; x++) if (img[r0 + x] !== img[r1 + x]) { same = 0; break; }
    // The first row compares with an all-white row above the region.
    if (y === 0) {
      same = 1;
      for (let x = 0; x < w; x++) if (img[r0 + x]) { same = 0; break; }
    }
    mq.encode(SLTP_CONTEXT, same ^ ltp);
    ltp = same;
    if (same) continue;
    for (let x = 0; x < w; x++) {
      // Template 0, nominal AT pixels: row y−2: x−2..x+2; row y−1: x−3..x+3; row y: x−4..x−1.
      // Bit order as T.88 6.2.5.3 (it matters for SLTP_CONTEXT, which shares the statistics).
      const cx =
        (img[r2 + x - 2]! << 15) | (img[r2 + x - 1]! << 14) | (img[r2 + x]! << 13) | (img[r2 + x + 1]! << 12) | (img[r2 + x + 2]! << 11) |
        (img[r1 + x - 3]! << 10) | (img[r1 + x - 2]! << 9) | (img[r1 + x - 1]! << 8) | (img[r1 + x]! << 7) | (img[r1 + x + 1]! << 6) |
        (img[r1 + x + 2]! << 5) | (img[r1 + x + 3]! << 4) |
        (img[r0 + x - 4]! << 3) | (img[r0 + x - 3]! << 2) | (img[r0 + x - 2]! << 1) | img[r0 + x - 1]!;
      mq.encode(cx, img[r0 + x]!);
    }
  }
  return mq.finish();
}

/** ITU-T T.88 Table E.1: Qe, next index after MPS, after LPS, switch MPS. */
const QE = [
  0x5601, 0x3401, 0x1801, 0x0ac1, 0x0521, 0x0221, 0x5601, 0x5401, 0x4801, 0x3801, 0x3001, 0x2401, 0x1c01, 0x1601, 0x5601, 0x5401,
  0x5101, 0x4801, 0x3801, 0x3401, 0x3001, 0x2801, 0x2401, 0x2201, 0x1c01, 0x1801, 0x1601, 0x1401, 0x1201, 0x1101, 0x0ac1, 0x09c1,
  0x08a1, 0x0521, 0x0441, 0x02a1, 0x0221, 0x0141, 0x0111, 0x0085, 0x0049, 0x0025, 0x0015, 0x0009, 0x0005, 0x0001, 0x5601,
];
const NMPS = [1, 2, 3, 4, 5, 38, 7, 8, 9, 10, 11, 12, 13, 29, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 45, 46];
const NLPS = [1, 6, 9, 12, 29, 33, 6, 14, 14, 14, 17, 18, 20, 21, 14, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 46];
const SWITCH = [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/** The MQ arithmetic encoder of T.88 Annex E (INITENC, ENCODE, RENORME, BYTEOUT, FLUSH). */
class MqEncoder {
  private index: Uint8Array;
  private mps: Uint8Array;
  private a = 0x8000;
  private c = 0;
  private ct = 12;
  // out[0] is the byte before the stream (BPST − 1), never written out.
  private out = new Uint8Array(1 << 16);
  private bp = 0;

  constructor(contexts: number) {
    this.index = new Uint8Array(contexts);
    this.mps = new Uint8Array(contexts);
  }

  encode(cx: number, d: number): void {
    const i = this.index[cx]!;
    const qe = QE[i]!;
    this.a -= qe;
    if (d === this.mps[cx]) {
      if ((this.a & 0x8000) !== 0) {
        this.c += qe;
        return;
      }
      if (this.a < qe) this.a = qe;
      else this.c += qe;
      this.index[cx] = NMPS[i]!;
    } else {
      if (this.a < qe) this.c += qe;
      else this.a = qe;
      if (SWITCH[i]) this.mps[cx] = 1 - this.mps[cx]!;
      this.index[cx] = NLPS[i]!;
    }
    do {
      this.a <<= 1;
      this.c *= 2; // C reaches 28 bits and more before BYTEOUT trims it: no 32-bit shift
      if (--this.ct === 0) this.byteOut();
    } while ((this.a & 0x8000) === 0);
  }

  private put(b: number): void {
    if (++this.bp >= this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.bp] = b;
  }

  private byteOut(): void {
    if (this.out[this.bp] === 0xff) {
      this.put(Math.floor(this.c / 0x100000));
      this.c %= 0x100000;
      this.ct = 7;
      return;
    }
    if (this.c >= 0x8000000) {
      this.out[this.bp]!++;
      if (this.out[this.bp] === 0xff) {
        this.c %= 0x8000000;
        this.put(Math.floor(this.c / 0x100000));
        this.c %= 0x100000;
        this.ct = 7;
        return;
      }
      this.c %= 0x8000000;
    }
    this.put(Math.floor(this.c / 0x80000));
    this.c %= 0x80000;
    this.ct = 8;
  }

  finish(): Uint8Array {
    // SETBITS
    const temp = this.c + this.a;
    this.c = this.c - (this.c % 0x10000) + 0xffff;
    if (this.c >= temp) this.c -= 0x8000;
    this.c *= 2 ** this.ct;
    this.byteOut();
    this.c *= 2 ** this.ct;
    this.byteOut();
    if (this.out[this.bp] !== 0xff) this.put(0xff);
    this.put(0xac);
    return this.out.slice(1, this.bp + 1);
  }
}
