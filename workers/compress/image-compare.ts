/**
 * How far two renderings of the same picture (packed gray or RGB, same size) are apart, in the two
 * ways a wrong rewrite shows: a region whose colour moved (a dropped, inverted or colour-swapped
 * image) and structure that no longer lines up (content repeated or shifted sideways, as a
 * stride mismatch produces, keeps most region means but not their detail).
 */
export interface Similarity {
  /** Largest difference of a block's mean, over blocks and channels (0–255). */
  block: number;
  /**
   * Mean structural similarity (SSIM) of the luminance over the blocks (1 = identical). The
   * usual stabilising constants keep flat blocks, where faint noise is all there is, near 1.
   */
  ssim: number;
  /** Mean absolute luminance difference per pixel (0–255). */
  mean: number;
}

const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

export function similarity(a: Uint8Array, b: Uint8Array, w: number, h: number, n: 1 | 3 = 3): Similarity {
  if (a.length !== w * h * n || b.length !== a.length) throw new Error('renderings differ in size');
  // 8×8 blocks, smaller on tiny images so that a 3×3 image still has blocks to compare.
  const bs = Math.max(1, Math.min(8, Math.floor(Math.min(w, h) / 2)));
  let worst = 0;
  let ssimSum = 0;
  let blocks = 0;
  let absSum = 0;
  for (let by = 0; by < h; by += bs) {
    for (let bx = 0; bx < w; bx += bs) {
      const y1 = Math.min(h, by + bs);
      const x1 = Math.min(w, bx + bs);
      const sa = [0, 0, 0];
      const sb = [0, 0, 0];
      let ya = 0, yb = 0, yaa = 0, ybb = 0, yab = 0, count = 0;
      for (let y = by; y < y1; y++) {
        for (let x = bx; x < x1; x++) {
          const o = (y * w + x) * n;
          for (let c = 0; c < n; c++) {
            sa[c]! += a[o + c]!;
            sb[c]! += b[o + c]!;
          }
          const la = n === 1 ? a[o]! : 0.299 * a[o]! + 0.587 * a[o + 1]! + 0.114 * a[o + 2]!;
          const lb = n === 1 ? b[o]! : 0.299 * b[o]! + 0.587 * b[o + 1]! + 0.114 * b[o + 2]!;
          ya += la; yb += lb; yaa += la * la; ybb += lb * lb; yab += la * lb;
          absSum += Math.abs(la - lb);
          count++;
        }
      }
      for (let c = 0; c < n; c++) worst = Math.max(worst, Math.abs(sa[c]! - sb[c]!) / count);
      const ma = ya / count, mb = yb / count;
      const va = Math.max(0, yaa / count - ma * ma), vb = Math.max(0, ybb / count - mb * mb), cov = yab / count - ma * mb;
      ssimSum += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
      blocks++;
    }
  }
  return { block: worst, ssim: blocks ? ssimSum / blocks : 1, mean: w * h ? absSum / (w * h) : 0 };
}
