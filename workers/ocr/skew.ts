/**
 * The skew of a page's text lines by projection profile: the dark pixels are projected onto
 * the vertical axis along lines of slope tan(θ); when θ is the lines' own slope, every text
 * line falls into a few rows and the gaps between lines into empty ones, so the sum of
 * squared row counts peaks. A coarse pass (0.25° steps) then a fine one (0.025°) around the
 * best; on a 150-dpi A4 page that is ~60 projections of at most 250,000 sampled pixels,
 * ~20–40 ms.
 *
 * The angle is in degrees, positive when lines descend to the right as displayed (the
 * content turned clockwise); straightening turns it back by the same angle.
 */
export const MAX_SKEW_DEG = 10;
const MAX_SAMPLES = 250_000;
const MIN_GAIN = 1.05;

export function measureSkew(gray: Uint8Array, width: number, height: number, maxDeg = MAX_SKEW_DEG): number {
  // Dark pixels, sampled evenly when there are many. The threshold sits between paper and ink
  // of a typical scan; a blank page has too few to say anything.
  let dark = 0;
  for (let i = 0; i < gray.length; i++) if (gray[i]! < 128) dark++;
  if (dark < 200) return 0;
  const step = Math.max(1, Math.ceil(dark / MAX_SAMPLES));
  const xs = new Float64Array(Math.ceil(dark / step));
  const ys = new Float64Array(xs.length);
  let n = 0;
  for (let y = 0, k = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x]! < 128 && k++ % step === 0 && n < xs.length) {
        xs[n] = x;
        ys[n++] = y;
      }
    }
  }
  const span = Math.ceil(width * Math.tan((maxDeg * Math.PI) / 180)) + 2;
  const bins = new Float64Array(height + 2 * span + 2);
  const score = (deg: number): number => {
    const t = Math.tan((deg * Math.PI) / 180);
    bins.fill(0);
    for (let i = 0; i < n; i++) bins[Math.round(ys[i]! - xs[i]! * t) + span]! += 1;
    let s = 0;
    for (let i = 0; i < bins.length; i++) s += bins[i]! * bins[i]!;
    return s;
  };
  const search = (from: number, to: number, by: number, best: { deg: number; s: number }) => {
    for (let deg = from; deg <= to + 1e-9; deg += by) {
      const s = score(deg);
      // Ties go to the angle nearest 0: an even page is left alone.
      if (s > best.s * (1 + 1e-9) || (Math.abs(s - best.s) <= best.s * 1e-9 && Math.abs(deg) < Math.abs(best.deg))) {
        best.deg = deg;
        best.s = s;
      }
    }
    return best;
  };
  const level = score(0);
  const coarse = search(-maxDeg, maxDeg, 0.25, { deg: 0, s: level });
  const fine = search(coarse.deg - 0.25, coarse.deg + 0.25, 0.025, { ...coarse });
  // A turn must sharpen the profile clearly: text skewed by 0.3° already gains 9 %, 1° 37 %,
  // while a photo or a page without lines gains nothing, and is left as it is.
  if (fine.s < level * MIN_GAIN) return 0;
  return Math.round(fine.deg * 100) / 100;
}

/** Gray samples turned clockwise by a multiple of 90° (what the page shows once turned upright). */
export function rotateGray(gray: Uint8Array, width: number, height: number, rotate: number): { gray: Uint8Array; width: number; height: number } {
  const r = ((rotate % 360) + 360) % 360;
  if (r === 0) return { gray, width, height };
  const out = new Uint8Array(gray.length);
  if (r === 180) {
    for (let i = 0; i < gray.length; i++) out[gray.length - 1 - i] = gray[i]!;
    return { gray: out, width, height };
  }
  // 90 clockwise: (x, y) → (height − 1 − y, x) in a height × width image; 270: (y, width − 1 − x).
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = gray[y * width + x]!;
      if (r === 90) out[x * height + (height - 1 - y)] = v;
      else out[(width - 1 - x) * height + y] = v;
    }
  }
  return { gray: out, width: height, height: width };
}
