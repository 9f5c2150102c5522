import type * as Mupdf from 'mupdf';
import type { Settings } from './levels.js';
import type { ImageUse } from './image-usage.js';
import { filtersOf, loadImage, nameOf, type MupdfModule } from './mupdf-util.js';
import { decodeSource } from './image-source.js';
import { resize, type Raw } from './image-codec.js';
import { encodeSamples } from './image-choice.js';
import { verifyRewrite, type Check, type Rewrite } from './image-verify.js';

/** Filters whose images are bitonal (kept exactly: a later G4/MRC pass will want them). */
const KEEP_FILTERS = new Set(['JBIG2Decode', 'CCITTFaxDecode']);
const LOSSY_FILTERS = new Set(['DCTDecode', 'JPXDecode']);

/** A verified rewrite, not yet written. */
export interface EncodedImage extends Rewrite {
  /** Raw stream length before. */
  before: number;
  check: Check;
}

/** 'rejected': every rewrite failed verification, so the image keeps its bytes. */
export type EncodeOutcome = EncodedImage | 'kept' | 'skipped' | 'rejected';

/**
 * The resolutions an image is tried at: the level's own and those of every weaker lossy
 * level, weakest first. Each size is resampled from the one before, so a `high` job computes
 * exactly the bytes a `medium` job would for 150 ppi, and keeps the smaller of the two:
 * a stronger level can never keep a larger image than a weaker one (issue #17, monotone
 * levels), and the cascade costs one full-resolution resample however many sizes follow.
 */
export function ppiChain(s: Settings): number[] {
  return [150, 110, 72, 50].filter((p) => p >= s.ppi);
}

/**
 * Re-encodes one image: MuPDF decodes it, sharp resamples and encodes, and each candidate
 * is decoded again and compared with the source (image-verify.ts), smallest first; the first
 * that passes wins. Nothing is written here.
 */
export async function encodeImage(mupdf: MupdfModule, doc: Mupdf.PDFDocument, ref: Mupdf.PDFObject, use: ImageUse, s: Settings, role: 'image' | 'smask'): Promise<EncodeOutcome> {
  if (!eligible(ref)) return 'skipped';
  const raw = ref.readRawStream();
  const before = raw.getLength();
  raw.destroy();
  let img: Mupdf.Image;
  try {
    img = loadImage(mupdf, doc, ref);
  } catch {
    return 'skipped';
  }
  try {
    const toGray = role === 'image' && s.grayscale;
    const src = decodeSource(mupdf, img, ref, toGray);
    if (typeof src === 'string') return 'skipped';
    const lossySource = filtersOf(ref).some((f) => LOSSY_FILTERS.has(f));
    const options: Rewrite[] = [];
    let prev: Raw = { ...src };
    let tried = '';
    for (const ppi of ppiChain(s)) {
      const scale = Math.max(((use.w / 72) * ppi) / src.width, ((use.h / 72) * ppi) / src.height);
      const downsample = scale * s.threshold < 1;
      const [tw, th] = downsample ? [Math.max(1, Math.round(src.width * scale)), Math.max(1, Math.round(src.height * scale))] : [src.width, src.height];
      if (tried === `${tw}x${th}`) continue; // the same as the weaker level's
      tried = `${tw}x${th}`;
      prev = await resize(prev, tw, th);
      const changed = downsample || !!src.colorSpace;
      // Re-encoding a JPEG at its own size only loses a generation: worth it for ≥ 20 % less.
      const limit = !changed && lossySource ? before * 0.8 : before;
      const enc = await encodeSamples(prev, s.quality, role === 'smask' || !lossySource, role === 'smask' ? 0.5 : 1, downsample || toGray);
      if (enc && enc.data.length < limit) options.push({ ...enc, width: tw, height: th, ...(src.colorSpace ? { colorSpace: src.colorSpace } : {}) });
    }
    if (options.length === 0) return 'kept';
    options.sort((a, b) => a.data.length - b.data.length);
    for (const o of options) {
      const check = verifyRewrite(mupdf, ref, img, o);
      if (check.ok) return { ...o, before, check };
    }
    return 'rejected';
  } finally {
    img.destroy();
  }
}

/** Images whose meaning survives decoding to 8-bit samples and writing them back. */
function eligible(ref: Mupdf.PDFObject): boolean {
  if (nameOf(ref, 'Subtype') !== 'Image') return false;
  if (ref.get('ImageMask').isBoolean() && ref.get('ImageMask').asBoolean()) return false;
  const bpc = ref.get('BitsPerComponent');
  if (bpc.isNumber() && bpc.asNumber() === 1) return false; // bitonal: kept exactly (see KEEP_FILTERS)
  if (ref.get('Mask').isArray()) return false; // colour-key masking needs exact sample values
  if (filtersOf(ref).some((f) => KEEP_FILTERS.has(f))) return false;
  const smask = ref.get('SMask');
  if (smask.isIndirect() && smask.get('Matte').isArray()) return false; // pre-multiplied: sizes must match
  const inData = ref.get('SMaskInData');
  if (inData.isNumber() && inData.asNumber() !== 0) return false; // JPX alpha is the mask: a rewrite would drop it
  return true;
}
