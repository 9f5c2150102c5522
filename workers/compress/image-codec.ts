import sharp from 'sharp';
import type { SourcePixels } from './image-source.js';

// Piscina runs one job per thread already; libvips' own thread pool would put a second layer
// of threads on the same cores (WORKER_THREADS must bound the CPU work). Nothing is reused
// between images, so its operation cache would only hold memory.
sharp.concurrency(1);
sharp.cache(false);

export interface Raw {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/**
 * Resampling kernel. Mitchell (a soft cubic, as Ghostscript's /Bicubic) against lanczos3,
 * both at 150 ppi q80 on the generated 300-ppi photos: mitchell's JPEGs are smaller for a
 * visual difference to the original within 0.05/255 of lanczos3's (see bench-compress).
 */
const KERNEL = sharp.kernel.mitchell;

/** The samples at w×h (the same object when the size does not change). */
export async function resize(src: SourcePixels | Raw, width: number, height: number): Promise<Raw> {
  if (width === src.width && height === src.height) return { width, height, channels: src.channels, data: src.data };
  const { data, info } = await sharp(src.data, { raw: { width: src.width, height: src.height, channels: src.channels } })
    .resize(width, height, { kernel: KERNEL, fit: 'fill' })
    .toColourspace(space(src.channels))
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== src.channels) throw new Error(`resize gave ${info.width}×${info.height}×${info.channels}`);
  return { width, height, channels: src.channels, data };
}

/**
 * Baseline JPEG through mozjpeg with optimised Huffman tables and its own quantisation tables
 * (table 3, tuned for the eye), 4:2:0 for colour. Trellis quantisation makes photos ~25 %
 * smaller at the same quality but costs ~20× the encoding time (measured, q80: a 1.5-MP photo
 * 61 KB in 113 ms with it, 82 KB in 16 ms without; a 2.2-MP gray scan 400 KB in 449 ms,
 * 522 KB in 28 ms), and Ghostscript, which a job must not be slower than, encodes a page scan
 * in ~30 ms. So trellis is used up to TRELLIS_PIXELS (what photos shown in a page need at
 * these resolutions), not on full-page scans. Progressive scan optimisation (mozjpeg's default)
 * adds 40 % more time for < 1 %: off. The header is read back: a stream whose size or
 * component count differs from what the dictionary will say would be drawn garbled, so it is
 * refused here rather than written.
 */
export const TRELLIS_PIXELS = 1.2e6;

export async function toJpeg(raw: Raw, quality: number): Promise<Uint8Array> {
  const trellis = raw.width * raw.height <= TRELLIS_PIXELS;
  const out = await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } })
    .toColourspace(space(raw.channels))
    .jpeg({ quality, chromaSubsampling: '4:2:0', progressive: false, optimiseCoding: true, quantisationTable: 3, trellisQuantisation: trellis, overshootDeringing: trellis, optimiseScans: false })
    .toBuffer();
  const head = jpegHeader(out);
  if (!head || head.width !== raw.width || head.height !== raw.height || head.components !== raw.channels) {
    throw new Error(`JPEG header ${JSON.stringify(head)} does not match ${raw.width}×${raw.height}×${raw.channels}`);
  }
  return out;
}

/**
 * The output space, said explicitly: left to itself sharp writes every output as sRGB, which
 * turns a 1-band gray input into 3 bands (measured: a 2550×3300 gray scan resized to
 * 1275×1650×3), the same class of mismatch that garbled issue #17's page.
 */
function space(channels: 1 | 3): 'b-w' | 'srgb' {
  return channels === 1 ? 'b-w' : 'srgb';
}

/** Size and component count from a JPEG's first SOF marker. */
export function jpegHeader(b: Uint8Array): { width: number; height: number; components: number } | undefined {
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) { i++; continue; }
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (b[i + 5]! << 8) | b[i + 6]!, width: (b[i + 7]! << 8) | b[i + 8]!, components: b[i + 9]! };
    }
    i += 2 + len;
  }
  return undefined;
}
