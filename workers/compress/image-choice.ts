import { deflateSync } from 'node:zlib';
import { toJpeg, type Raw } from './image-codec.js';

export interface Encoded {
  data: Uint8Array;
  filter: 'DCTDecode' | 'FlateDecode';
}

/**
 * JPEG at `quality`; Flate of the samples too when the source was lossless and a sample of
 * rows says Flate may win (flat graphics and screenshots come out smaller and exact; noisy
 * photos are 5–10× larger, and deflating all of a 15 MB photo costs ~0.5–1 s, so the
 * sample keeps it to those likely to win). JPEG must beat Flate by `jpegFactor`: soft masks
 * use 0.5, since JPEG ringing on a hard alpha edge shows as a halo; smooth fades, where JPEG
 * wins by far more (a radial fade: 40 KB Flate, 9 KB JPEG), still get it. Null: keep the
 * original (flat graphics at their own size, left to the lossless pass).
 */
export async function encodeSamples(raw: Raw, quality: number, tryFlate: boolean, jpegFactor: number, mustChange: boolean): Promise<Encoded | null> {
  const estimate = tryFlate ? estimateFlate(raw.data) : Infinity;
  // Deflating to under 15 % of the samples means flat graphics (screenshots, charts): JPEG
  // would blur their edges and rarely be smaller. Not resampled, they are left to the lossless
  // pass; a KiCad manual printed by Chromium (153 pages of screenshots) spent 9 s in JPEG
  // trials that all lost.
  if (estimate < raw.data.length * 0.15) return mustChange ? { data: deflateSync(raw.data, { level: 6 }), filter: 'FlateDecode' } : null;
  const jpeg = await toJpeg(raw, quality);
  if (estimate * jpegFactor < jpeg.length * 1.3) {
    const flate = deflateSync(raw.data, { level: 6 });
    if (flate.length * jpegFactor <= jpeg.length) return { data: flate, filter: 'FlateDecode' };
  }
  return { data: jpeg, filter: 'DCTDecode' };
}

/** Deflated size of the samples, extrapolated from 8 evenly spaced 16 KB slices. */
function estimateFlate(raw: Uint8Array): number {
  const slice = 16_384;
  if (raw.length <= slice * 8) return deflateSync(raw, { level: 6 }).length;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const at = Math.floor((i * (raw.length - slice)) / 7);
    sum += deflateSync(raw.subarray(at, at + slice), { level: 6 }).length;
  }
  return (sum / (8 * slice)) * raw.length;
}
