/**
 * Test fixtures only: a synchronous baseline 4:2:0 JPEG encoder for gray and RGB samples, so
 * the fixture builders stay synchronous and produce what cameras write (MuPDF's asJPEG writes
 * progressive 4:4:4; sharp is asynchronous). It was the engine's own encoder until issue #17
 * moved the engine to sharp/mozjpeg; as a source of test images it is an independent encoder,
 * which is what a fixture needs. Quality uses the IJG scale of the Annex K tables.
 */
import { ScanWriter, assemble } from './baseline-jpeg-huffman.js';

const ZIGZAG = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
  54, 47, 55, 62, 63,
]);
const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_Q = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  ...new Array<number>(32).fill(99),
];
/** AAN DCT output scale factors per row/column index. */
const AAN = [1, 1.387039845, 1.306562965, 1.175875602, 1, 0.785694958, 0.5411961, 0.275899379];

/** Quantisation table (natural order) for an IJG quality, clamped to baseline's 1–255. */
function qTable(base: number[], quality: number): Int32Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  return Int32Array.from(base, (v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

/** Divisors for the float AAN DCT output: quant × 8 × row and column scale factors. */
function divisors(q: Int32Array): Float64Array {
  return Float64Array.from({ length: 64 }, (_, i) => q[i]! * AAN[i >> 3]! * AAN[i & 7]! * 8);
}

/** In-place forward DCT of 64 level-shifted samples (libjpeg's jfdctflt, AAN algorithm). */
function fdct(d: Float64Array): void {
  for (let pass = 0; pass < 2; pass++) {
    const step = pass === 0 ? 1 : 8;
    const stride = pass === 0 ? 8 : 1;
    for (let k = 0; k < 8; k++) {
      const o = k * stride;
      const [p0, p1, p2, p3, p4, p5, p6, p7] = [o, o + step, o + 2 * step, o + 3 * step, o + 4 * step, o + 5 * step, o + 6 * step, o + 7 * step];
      const t0 = d[p0]! + d[p7]!, t7 = d[p0]! - d[p7]!, t1 = d[p1]! + d[p6]!, t6 = d[p1]! - d[p6]!;
      const t2 = d[p2]! + d[p5]!, t5 = d[p2]! - d[p5]!, t3 = d[p3]! + d[p4]!, t4 = d[p3]! - d[p4]!;
      let t10 = t0 + t3;
      const t13 = t0 - t3;
      let t11 = t1 + t2;
      let t12 = t1 - t2;
      d[p0] = t10 + t11;
      d[p4] = t10 - t11;
      const z1 = (t12 + t13) * 0.707106781;
      d[p2] = t13 + z1;
      d[p6] = t13 - z1;
      t10 = t4 + t5;
      t11 = t5 + t6;
      t12 = t6 + t7;
      const z5 = (t10 - t12) * 0.382683433;
      const z2 = 0.5411961 * t10 + z5;
      const z4 = 1.306562965 * t12 + z5;
      const z3 = t11 * 0.707106781;
      const z11 = t7 + z3;
      const z13 = t7 - z3;
      d[p5] = z13 + z2;
      d[p3] = z13 - z2;
      d[p1] = z11 + z4;
      d[p7] = z11 - z4;
    }
  }
}

interface Plane {
  w: number;
  h: number;
  px: Float64Array;
}

/** Quantised coefficients of a plane, block rows × block columns × 64, in zigzag order. */
function quantise(plane: Plane, bw: number, bh: number, div: Float64Array): Int16Array {
  const out = new Int16Array(bw * bh * 64);
  const blk = new Float64Array(64);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      for (let y = 0; y < 8; y++) {
        const sy = Math.min(plane.h - 1, by * 8 + y) * plane.w;
        for (let x = 0; x < 8; x++) blk[y * 8 + x] = plane.px[sy + Math.min(plane.w - 1, bx * 8 + x)]! - 128;
      }
      fdct(blk);
      const base = (by * bw + bx) * 64;
      for (let i = 0; i < 64; i++) out[base + i] = Math.round(blk[ZIGZAG[i]!]! / div[ZIGZAG[i]!]!);
    }
  }
  return out;
}

export interface JpegInput {
  width: number;
  height: number;
  /** 1 (gray) or 3 (RGB), interleaved, 8 bits. */
  components: 1 | 3;
  samples: Uint8Array | Uint8ClampedArray;
}

/** Encodes gray or RGB samples as a baseline JPEG (RGB as YCbCr 4:2:0). */
export function encodeJpeg(img: JpegInput, quality: number): Uint8Array {
  const { width: w, height: h } = img;
  const lq = qTable(LUMA_Q, quality);
  const cq = qTable(CHROMA_Q, quality);
  const planes = toPlanes(img);
  const color = img.components === 3;
  // MCU: 16×16 for 4:2:0 (four luma blocks, one of each chroma), 8×8 for gray.
  const mcu = color ? 16 : 8;
  const mw = Math.ceil(w / mcu);
  const mh = Math.ceil(h / mcu);
  const lumaCoef = quantise(planes[0]!, mw * (mcu / 8), mh * (mcu / 8), divisors(lq));
  const chromaCoef = color ? planes.slice(1).map((p) => quantise(p, mw, mh, divisors(cq))) : [];
  const scan = new ScanWriter(color ? 2 : 1);
  const order = (emit: (table: number, comp: number, coef: Int16Array, block: number) => void) => {
    for (let my = 0; my < mh; my++) {
      for (let mx = 0; mx < mw; mx++) {
        if (color) {
          const bw = mw * 2;
          for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) emit(0, 0, lumaCoef, (my * 2 + dy) * bw + mx * 2 + dx);
          emit(1, 1, chromaCoef[0]!, my * mw + mx);
          emit(1, 2, chromaCoef[1]!, my * mw + mx);
        } else {
          emit(0, 0, lumaCoef, my * mw + mx);
        }
      }
    }
  };
  scan.count(order, color ? 3 : 1);
  const tables = scan.buildTables();
  const body = scan.encode(order, color ? 3 : 1, tables);
  return assemble(w, h, color, lq, cq, tables, body);
}

function toPlanes(img: JpegInput): Plane[] {
  const { width: w, height: h, samples: s } = img;
  if (img.components === 1) return [{ w, h, px: Float64Array.from(s) }];
  const y = new Float64Array(w * h);
  const cb = new Float64Array(w * h);
  const cr = new Float64Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const r = s[i * 3]!, g = s[i * 3 + 1]!, b = s[i * 3 + 2]!;
    y[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    cb[i] = -0.168736 * r - 0.331264 * g + 0.5 * b + 128;
    cr[i] = 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
  }
  return [{ w, h, px: y }, half(cb, w, h), half(cr, w, h)];
}

/** 2×2 box-filtered chroma plane (edge samples repeated), as libjpeg's h2v2 downsampling. */
function half(p: Float64Array, w: number, h: number): Plane {
  const hw = Math.ceil(w / 2);
  const hh = Math.ceil(h / 2);
  const out = new Float64Array(hw * hh);
  for (let y = 0; y < hh; y++) {
    const y0 = 2 * y * w;
    const y1 = Math.min(h - 1, 2 * y + 1) * w;
    for (let x = 0; x < hw; x++) {
      const x0 = 2 * x;
      const x1 = Math.min(w - 1, 2 * x + 1);
      out[y * hw + x] = (p[y0 + x0]! + p[y0 + x1]! + p[y1 + x0]! + p[y1 + x1]!) / 4;
    }
  }
  return { w: hw, h: hh, px: out };
}
