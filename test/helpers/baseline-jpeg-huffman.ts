/**
 * Entropy coding for jpeg-encoder.ts: symbol statistics, optimal length-limited Huffman
 * tables (ITU T.81 Annex K.2, as libjpeg's jpeg_gen_optimal_table) and the bit writer with
 * 0xFF byte stuffing, plus the marker segments around the scan.
 */

export interface HuffTable {
  bits: number[]; // count of codes of each length 1..16 (index 0 unused)
  vals: number[];
  code: Int32Array; // per symbol
  size: Int32Array; // per symbol, 0 = unused
}

type Emit = (table: number, comp: number, coef: Int16Array, block: number) => void;
type Order = (emit: Emit) => void;

function category(v: number): number {
  let a = v < 0 ? -v : v;
  let n = 0;
  while (a) { n++; a >>= 1; }
  return n;
}

export class ScanWriter {
  private dcFreq: Float64Array[];
  private acFreq: Float64Array[];
  private out: number[] = [];
  private acc = 0;
  private nbits = 0;

  constructor(tables: number) {
    this.dcFreq = Array.from({ length: tables }, () => new Float64Array(257));
    this.acFreq = Array.from({ length: tables }, () => new Float64Array(257));
  }

  /** Pass 1: symbol frequencies. */
  count(order: Order, comps: number): void {
    const pred = new Int32Array(comps);
    order((t, c, coef, b) => {
      const base = b * 64;
      const diff = coef[base]! - pred[c]!;
      pred[c] = coef[base]!;
      this.dcFreq[t]![category(diff)]!++;
      let run = 0;
      for (let k = 1; k < 64; k++) {
        const v = coef[base + k]!;
        if (v === 0) { run++; continue; }
        while (run > 15) { this.acFreq[t]![0xf0]!++; run -= 16; }
        this.acFreq[t]![(run << 4) | category(v)]!++;
        run = 0;
      }
      if (run > 0) this.acFreq[t]![0]!++;
    });
  }

  buildTables(): { dc: HuffTable[]; ac: HuffTable[] } {
    return { dc: this.dcFreq.map(optimalTable), ac: this.acFreq.map(optimalTable) };
  }

  /** Pass 2: the entropy-coded scan, byte-stuffed and padded with 1 bits. */
  encode(order: Order, comps: number, t: { dc: HuffTable[]; ac: HuffTable[] }): Uint8Array {
    const pred = new Int32Array(comps);
    order((ti, c, coef, b) => {
      const base = b * 64;
      const dc = t.dc[ti]!;
      const ac = t.ac[ti]!;
      const diff = coef[base]! - pred[c]!;
      pred[c] = coef[base]!;
      const s = category(diff);
      this.put(dc.code[s]!, dc.size[s]!);
      if (s) this.put(diff < 0 ? diff + (1 << s) - 1 : diff, s);
      let run = 0;
      for (let k = 1; k < 64; k++) {
        const v = coef[base + k]!;
        if (v === 0) { run++; continue; }
        while (run > 15) { this.put(ac.code[0xf0]!, ac.size[0xf0]!); run -= 16; }
        const sz = category(v);
        const sym = (run << 4) | sz;
        this.put(ac.code[sym]!, ac.size[sym]!);
        this.put(v < 0 ? v + (1 << sz) - 1 : v, sz);
        run = 0;
      }
      if (run > 0) this.put(ac.code[0]!, ac.size[0]!);
    });
    if (this.nbits > 0) this.put((1 << (8 - this.nbits)) - 1, 8 - this.nbits);
    return Uint8Array.from(this.out);
  }

  private put(value: number, size: number): void {
    this.acc = (this.acc << size) | (value & ((1 << size) - 1));
    this.nbits += size;
    while (this.nbits >= 8) {
      const byte = (this.acc >>> (this.nbits - 8)) & 0xff;
      this.out.push(byte);
      if (byte === 0xff) this.out.push(0);
      this.nbits -= 8;
    }
    this.acc &= (1 << this.nbits) - 1;
  }
}

/** Optimal code lengths ≤ 16 bits for the frequencies (index 256 reserves the all-ones code). */
function optimalTable(input: Float64Array): HuffTable {
  const freq = Float64Array.from(input);
  freq[256] = 1;
  const codesize = new Int32Array(257);
  const others = new Int32Array(257).fill(-1);
  for (;;) {
    let c1 = -1;
    let v = Infinity;
    for (let i = 0; i <= 256; i++) if (freq[i]! && freq[i]! <= v) { v = freq[i]!; c1 = i; }
    let c2 = -1;
    v = Infinity;
    for (let i = 0; i <= 256; i++) if (freq[i]! && freq[i]! <= v && i !== c1) { v = freq[i]!; c2 = i; }
    if (c2 < 0) break;
    freq[c1] = freq[c1]! + freq[c2]!;
    freq[c2] = 0;
    codesize[c1]!++;
    while (others[c1]! >= 0) { c1 = others[c1]!; codesize[c1]!++; }
    others[c1] = c2;
    codesize[c2]!++;
    while (others[c2]! >= 0) { c2 = others[c2]!; codesize[c2]!++; }
  }
  const bits = new Array<number>(33).fill(0);
  for (let i = 0; i <= 256; i++) if (codesize[i]) bits[codesize[i]!]!++;
  for (let i = 32; i > 16; i--) {
    while (bits[i]! > 0) {
      let j = i - 2;
      while (bits[j] === 0) j--;
      bits[i]! -= 2;
      bits[i - 1]!++;
      bits[j + 1]! += 2;
      bits[j]!--;
    }
  }
  let last = 16;
  while (bits[last] === 0) last--;
  bits[last]!--; // drop the reserved symbol's code
  const vals: number[] = [];
  for (let len = 1; len <= 32; len++) for (let s = 0; s < 256; s++) if (codesize[s] === len) vals.push(s);
  const code = new Int32Array(257);
  const size = new Int32Array(257);
  let k = 0;
  let c = 0;
  for (let len = 1; len <= 16; len++) {
    for (let n = 0; n < bits[len]!; n++) {
      code[vals[k]!] = c;
      size[vals[k]!] = len;
      k++;
      c++;
    }
    c <<= 1;
  }
  return { bits: bits.slice(0, 17), vals: vals.slice(0, k), code, size };
}

const ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63];

/** SOI, DQT, SOF0, DHT, SOS, the scan, EOI. */
export function assemble(w: number, h: number, color: boolean, lq: Int32Array, cq: Int32Array, t: { dc: HuffTable[]; ac: HuffTable[] }, scan: Uint8Array): Uint8Array {
  const seg: number[] = [0xff, 0xd8];
  const marker = (m: number, body: number[]) => seg.push(0xff, m, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body);
  const quant = (id: number, q: Int32Array) => [id, ...ZIGZAG.map((z) => q[z]!)];
  marker(0xdb, color ? [...quant(0, lq), ...quant(1, cq)] : quant(0, lq));
  const comps = color ? [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1] : [1, 0x11, 0];
  marker(0xc0, [8, h >> 8, h & 0xff, w >> 8, w & 0xff, color ? 3 : 1, ...comps]);
  const dht: number[] = [];
  t.dc.forEach((tab, i) => dht.push(i, ...tab.bits.slice(1), ...tab.vals));
  t.ac.forEach((tab, i) => dht.push(0x10 | i, ...tab.bits.slice(1), ...tab.vals));
  marker(0xc4, dht);
  marker(0xda, color ? [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0] : [1, 1, 0x00, 0, 63, 0]);
  const out = new Uint8Array(seg.length + scan.length + 2);
  out.set(seg, 0);
  out.set(scan, seg.length);
  out.set([0xff, 0xd9], seg.length + scan.length);
  return out;
}
