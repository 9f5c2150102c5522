import { createHash } from 'node:crypto';
import type * as Mupdf from 'mupdf';
import type { Settings } from './levels.js';
import type { ImageUse, UsageScan } from './image-usage.js';
import { loadImage, type MupdfModule } from './mupdf-util.js';
import { decodeSource } from './image-source.js';
import { classifyScan } from './scan-classify.js';
import { backgroundChain, buildLayers, layerBytes, writeLayers, type Layers } from './mrc.js';
import type { ScanSplitResult } from './types.js';

export type { ScanSplitResult };
import { draw } from './image-verify.js';
import { similarity, type Similarity } from './image-compare.js';

export interface ScanPass {
  /** Image objects replaced by their layers: the image pass leaves them alone. */
  replaced: Set<number>;
  /** Pages (0-based) whose scan is now one 1-bit image, or a mask over a background. */
  bilevelPages: Set<number>;
  mrcPages: Set<number>;
  /** Pages drawing a replaced image: the rendering check covers each of them. */
  changedPages: Set<number>;
  /** Scans that qualified but whose layers failed the check: they go the usual way. */
  rejected: number;
  /** With `only`: the outcome of each scan this pass split (nothing is written then). */
  splits?: ScanSplitResult[];
}


/**
 * Which scans a pass splits: `shard` of `count` takes every count-th scan that qualifies
 * (the same order and the same tests on every thread), `precomputed` holds the outcomes
 * the shards found, used in place of splitting again. Outcomes are the same either way:
 * each scan's split depends on its image object and the settings only.
 */
export interface ScanShare {
  only?: { shard: number; count: number };
  precomputed?: Map<number, ScanSplitResult>;
  /** Outcomes found in another file (the OCR job's source), matched by splitKey. */
  byKey?: Map<string, ScanSplitResult>;
}

/**
 * Everything a scan's split depends on besides the settings: the image dictionary (but its
 * /Length) with the objects it refers to by value (a colour space; an ICC profile or a palette
 * stream by a hash of its decoded bytes, which the lossless pass leaves as they are), the
 * image's raw bytes and the size it is drawn at. Object numbers are not part of it, so it
 * matches the same scan in another file. Undefined when the objects nest deeper than any
 * image's do.
 */
export function splitKey(ref: Mupdf.PDFObject, use: { w: number; h: number }): string | undefined {
  const hash = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('base64');
  const bytesOf = (o: Mupdf.PDFObject, raw: boolean) => {
    const buf = raw ? o.readRawStream() : o.readStream();
    try {
      return hash(buf.asUint8Array());
    } finally {
      buf.destroy();
    }
  };
  // Of a stream the image refers to, only the decoded bytes count: not how they are packed.
  const PACKING = new Set(['Length', 'Filter', 'DecodeParms']);
  const describe = (o: Mupdf.PDFObject, depth: number, skip: Set<string>): string => {
    if (depth > 6) throw new Error('too deep');
    if (o.isIndirect()) {
      if (o.isStream()) return `stream(${bytesOf(o, false)} ${describe(o.resolve(), depth + 1, PACKING)})`;
      return describe(o.resolve(), depth + 1, skip);
    }
    if (o.isArray()) {
      const items: string[] = [];
      for (let i = 0; i < o.length; i++) items.push(describe(o.get(i), depth + 1, new Set()));
      return `[${items.join(' ')}]`;
    }
    if (o.isDictionary()) {
      const entries: string[] = [];
      o.forEach((v, k) => {
        if (!skip.has(String(k))) entries.push(`/${k} ${describe(v, depth + 1, new Set())}`);
      });
      return `<<${entries.sort().join(' ')}>>`;
    }
    return o.toString();
  };
  try {
    const dict = describe(ref.resolve(), 0, new Set(['Length']));
    return `${bytesOf(ref, true)} ${hash(Buffer.from(dict))} ${use.w}x${use.h}`;
  } catch {
    return undefined;
  }
}

/** A scan covers at least this share of a page, at this many pixels and effective ppi. */
const PAGE_SHARE = 0.5;
const MIN_PIXELS = 1e6;
const MIN_PPI = 150;
/**
 * Above this the split's working arrays get large for a worker thread: a 600-ppi A3 scan
 * (7,000 × 9,900) is left to the image pass. Measured peak of the classification besides the
 * samples (process RSS, the generated scans tiled to 8.4 megapixels, medians of 4 runs): ~2 bytes a
 * pixel on a gray page, ~5 on a gray one with a photo, ~9 on a colour one with a photo, 11–13 on one
 * with a stamp or red text found again once pictures are known (~650 MB at this limit; how much
 * garbage the collector has left is most of the spread between runs).
 */
const MAX_PIXELS = 50e6;

/**
 * Page scans split into layers (scan-classify.ts, mrc.ts), at lossy levels. A scan is an 8-bit
 * image drawn over at least half of a page at ≥ 150 ppi; what it is (bilevel, MRC or a picture
 * left to the image pass) is decided from its pixels. The layers replace the image object in
 * place (writeLayers) after the page drawn with them is compared with the source image drawn
 * at the same size (checkLayers). 1-bit scans, already JBIG2 or G4 from bitonalToG4, are only counted.
 */
export async function splitScans(mupdf: MupdfModule, doc: Mupdf.PDFDocument, usage: UsageScan, s: Settings, keep: Set<number>, progress?: (done: number, total: number) => void, share: ScanShare = {}): Promise<ScanPass> {
  const pass: ScanPass = { replaced: new Set(), bilevelPages: new Set(), mrcPages: new Set(), changedPages: new Set(), rejected: 0, ...(share.only ? { splits: [] } : {}) };
  const scans = scanImages(doc, usage, keep);
  let qualified = 0;
  for (const [k, { num, use, pages, oneBit }] of scans.entries()) {
    progress?.(k, scans.length);
    if (oneBit) {
      for (const p of pages) pass.bilevelPages.add(p);
      continue;
    }
    if (!s.lossy) continue;
    if (share.only && qualified++ % share.only.count !== share.only.shard) continue;
    const ref = doc.newIndirect(num);
    const key = share.only || share.byKey ? splitKey(ref, use) : undefined;
    const found = share.precomputed?.get(num) ?? (key !== undefined ? share.byKey?.get(key) : undefined);
    let split = found ? { ...found, num } : undefined;
    if (!split) {
      split = await splitOne(mupdf, doc, ref, num, use, s);
      mupdf.emptyStore();
    }
    if (share.only) {
      pass.splits!.push(key !== undefined ? { ...split, key } : split);
      continue;
    }
    let outcome = split.outcome;
    try {
      if (split.layers) writeLayers(doc, ref, split.layers, split.ownColorSpace ? ref.get('ColorSpace') : undefined);
    } catch {
      outcome = 'rejected';
    }
    if (outcome === 'rejected') pass.rejected++;
    if (outcome !== 'bilevel' && outcome !== 'mrc') continue;
    pass.replaced.add(num);
    for (const p of usage.pages.get(num) ?? []) pass.changedPages.add(p);
    for (const p of pages) (outcome === 'bilevel' ? pass.bilevelPages : pass.mrcPages).add(p);
  }
  return pass;
}

/** A drawn image splitScans takes for a page scan, with the pages it covers half of. */
export interface ScanImage {
  num: number;
  use: ImageUse;
  /** Pages (0-based) on which it is drawn over at least half of the page. */
  pages: number[];
  /** 1-bit (or a stencil mask): a bilevel page as it is, only counted. Otherwise an 8-bit image splitOne decides about. */
  oneBit: boolean;
}

/**
 * The images splitScans looks at, in its order (by object number, `keep` left out): drawn over
 * at least half of some page, and either 1-bit or an 8-bit image that may be split (no mask of
 * its own, not another image's mask, no /Decode). The preview samples from the same list.
 */
export function scanImages(doc: Mupdf.PDFDocument, usage: UsageScan, keep: Set<number>): ScanImage[] {
  const areas = new Map<number, number>();
  const pageArea = (p: number) => {
    let a = areas.get(p);
    if (a === undefined) {
      try {
        const page = doc.loadPage(p);
        const [x0, y0, x1, y1] = page.getBounds();
        page.destroy();
        a = Math.max(1, (x1 - x0) * (y1 - y0));
      } catch {
        a = Infinity; // a page MuPDF cannot load: its images are not taken for a scan
      }
      areas.set(p, a);
    }
    return a;
  };
  const all = new Map([...(usage.stencils ?? []), ...usage.uses]);
  // An image that is another's /SMask or /Mask must stay an image (it is not drawn by Do).
  const masks = new Set<number>();
  for (const num of all.keys()) {
    for (const key of ['SMask', 'Mask']) {
      const m = doc.newIndirect(num).get(key);
      if (m.isIndirect()) masks.add(m.asIndirect());
    }
  }
  const found: ScanImage[] = [];
  for (const num of [...all.keys()].sort((a, b) => a - b)) {
    if (keep.has(num)) continue;
    const use = all.get(num)!;
    const pages = [...(usage.pages.get(num) ?? [])].filter((p) => use.w * use.h >= PAGE_SHARE * pageArea(p));
    if (pages.length === 0) continue;
    const ref = doc.newIndirect(num);
    const bpc = ref.get('BitsPerComponent');
    const mask = ref.get('ImageMask');
    if ((bpc.isNumber() && bpc.asNumber() === 1) || (mask.isBoolean() && mask.asBoolean())) found.push({ num, use, pages, oneBit: true });
    else if (!masks.has(num) && candidate(ref)) found.push({ num, use, pages, oneBit: false });
  }
  return found;
}

function candidate(ref: Mupdf.PDFObject): boolean {
  const bpc = ref.get('BitsPerComponent');
  if (!bpc.isNumber() || bpc.asNumber() !== 8) return false;
  for (const key of ['SMask', 'Mask', 'Decode', 'Alternates']) if (!ref.get(key).isNull()) return false;
  const inData = ref.get('SMaskInData');
  return !(inData.isNumber() && inData.asNumber() !== 0);
}

/**
 * One 8-bit scan (from scanImages) decided at settings `s`: bilevel or MRC with its layers
 * encoded and checked, a picture left to the image pass, or rejected. Writes nothing.
 */
export async function splitOne(mupdf: MupdfModule, doc: Mupdf.PDFDocument, ref: Mupdf.PDFObject, num: number, use: { w: number; h: number }, s: Settings): Promise<ScanSplitResult> {
  return (await splitAtLevels(mupdf, doc, ref, num, use, [s]))[0]!;
}

/**
 * splitOne at several settings that differ in their level only (the same quality and
 * grayscale), each result what splitOne gives at that settings: what does not depend on the
 * level (decoding, classification, masks) is done once, each background of the levels'
 * chains encoded once and each option checked once. For the preview, which also takes each
 * result's `ms`: the time splitOne takes at that level alone. That is the shared part (loading,
 * decoding, classification, the masks: every level does all of it) plus the backgrounds of that
 * level's own chain and the checks it runs until an option passes, not the other levels'. The
 * whole shared split charged to each level put the preview's time at 0.97–1.40× the job's on six
 * kinds of generated 300-ppi letter scans; this way 0.92–1.18×.
 */
export async function splitAtLevels(mupdf: MupdfModule, doc: Mupdf.PDFDocument, ref: Mupdf.PDFObject, num: number, use: { w: number; h: number }, levels: Settings[]): Promise<ScanSplitResult[]> {
  const t0 = performance.now();
  const spent: Spent = { backgrounds: new Map(), checks: 0, own: levels.map(() => 0) };
  const results = await decideAtLevels(mupdf, doc, ref, num, use, levels, spent);
  const shared = performance.now() - t0 - [...spent.backgrounds.values()].reduce((a, b) => a + b, 0) - spent.checks;
  return results.map((r, i) => ({ ...r, ms: shared + spent.own[i]! }));
}

/** Time splitAtLevels spent apart from the shared part, in ms. */
interface Spent {
  /** Building and encoding each background, by its ppi (buildLayers). */
  backgrounds: Map<number, number>;
  /** All checks. */
  checks: number;
  /** Each level's own: its chain's backgrounds and the checks it ran. */
  own: number[];
}

async function decideAtLevels(mupdf: MupdfModule, doc: Mupdf.PDFDocument, ref: Mupdf.PDFObject, num: number, use: { w: number; h: number }, levels: Settings[], spent: Spent): Promise<ScanSplitResult[]> {
  const each = (r: ScanSplitResult) => levels.map(() => r);
  const s = levels[0]!;
  let img: Mupdf.Image;
  try {
    img = loadImage(mupdf, doc, ref);
  } catch {
    return each({ num, outcome: 'picture' });
  }
  const picture: ScanSplitResult = { num, outcome: 'picture' };
  const rejected: ScanSplitResult = { num, outcome: 'rejected' };
  try {
    const src = decodeSource(mupdf, img, ref, s.grayscale);
    if (typeof src === 'string' || src.width * src.height < MIN_PIXELS || src.width * src.height > MAX_PIXELS) return each(picture);
    const ppi = Math.min(src.width / (use.w / 72), src.height / (use.h / 72));
    if (!(ppi >= MIN_PPI)) return each(picture);
    const split = classifyScan(src, ppi);
    if (split.kind === 'picture') return each(picture);
    const chains = levels.map((l) => backgroundChain(l.level).filter((p) => !split.inkOnColour || p >= 100));
    const options = await buildLayers(mupdf, src, split, ppi, [...new Set(chains.flat())].sort((a, b) => b - a), s.quality, spent.backgrounds);
    if (typeof options === 'string') return each(rejected);
    const ownColorSpace = !src.colorSpace;
    const colorSpace = ownColorSpace ? ref.get('ColorSpace') : undefined;
    // Never larger than the image as it is (after the lossless pass): a level's page stays at
    // most its `low` size.
    const raw = ref.readRawStream();
    const before = raw.getLength();
    raw.destroy();
    const checked = new Map<Layers, { ok: boolean; ms: number }>();
    const check = (l: Layers) => {
      let c = checked.get(l);
      if (c === undefined) {
        const t0 = performance.now();
        const ok = checkLayers(mupdf, img, l, colorSpace, src.channels === 1).ok;
        checked.set(l, (c = { ok, ms: performance.now() - t0 }));
        spent.checks += c.ms;
      }
      return c;
    };
    return chains.map((chain, i) => {
      for (const p of chain) spent.own[i]! += spent.backgrounds.get(p) ?? 0;
      const small = options.filter((l) => (!l.background || chain.includes(l.background.ppi!)) && layerBytes(l) < before);
      const layers = small.find((l) => {
        const c = check(l);
        spent.own[i]! += c.ms;
        return c.ok;
      });
      if (!layers) return small.length ? rejected : picture;
      return { num, outcome: layers.kind, layers, ownColorSpace };
    });
  } catch {
    return each(rejected);
  } finally {
    img.destroy();
  }
}

/**
 * Limits for a scan drawn from its layers against the scan itself, both at ~0.6 megapixels.
 * Measured on the generated scans (test/helpers/scan-fixtures.ts): text pages as bilevel or
 * MRC differ by ≤ 20 in an 8×8 block, SSIM ≥ 0.8; a mask shifted by 1 % of the width or
 * inverted, or a lost stamp, goes far beyond. A page that fails keeps its scan for the image pass.
 */
export const LAYERS_MAX_BLOCK = 34;
export const LAYERS_MIN_SSIM = 0.7;
const CHECK_PIXELS = 600_000;

export function checkLayers(mupdf: MupdfModule, source: Mupdf.Image, layers: Layers, colorSpace: Mupdf.PDFObject | undefined, gray: boolean): Similarity & { ok: boolean } {
  const { width: w, height: h } = layers.mask;
  const f = Math.min(1, Math.sqrt(CHECK_PIXELS / (w * h)));
  const [cw, ch] = [Math.max(1, Math.round(w * f)), Math.max(1, Math.round(h * f))];
  const scratch = new mupdf.PDFDocument();
  try {
    const obj = scratch.addRawStream(new Uint8Array(0), { Type: scratch.newName('XObject'), Subtype: scratch.newName('Image') });
    writeLayers(scratch, obj, layers, colorSpace ? scratch.graftObject(colorSpace) : undefined);
    const xo = scratch.newDictionary();
    xo.put('I', obj);
    const res = scratch.newDictionary();
    res.put('XObject', xo);
    scratch.insertPage(-1, scratch.addPage([0, 0, cw, ch], 0, res, `q ${cw} 0 0 ${ch} 0 0 cm /I Do Q`));
    const page = scratch.loadPage(0);
    const pix = page.toPixmap(mupdf.Matrix.identity, gray ? mupdf.ColorSpace.DeviceGray : mupdf.ColorSpace.DeviceRGB, false);
    page.destroy();
    const n = gray ? 1 : 3;
    const stride = pix.getStride();
    const px = pix.getPixels();
    if (pix.getWidth() !== cw || pix.getHeight() !== ch) throw new Error('check rendering has another size');
    const mine = new Uint8Array(cw * ch * n);
    for (let y = 0; y < ch; y++) mine.set(px.subarray(y * stride, y * stride + cw * n), y * cw * n);
    pix.destroy();
    const sim = similarity(draw(mupdf, source, cw, ch, gray), mine, cw, ch, n);
    return { ...sim, ok: sim.block <= LAYERS_MAX_BLOCK && sim.ssim >= LAYERS_MIN_SSIM };
  } finally {
    scratch.destroy();
  }
}
