import type * as Mupdf from 'mupdf';
import type { Raw } from './image-codec.js';
import { toJpeg } from './image-codec.js';
import { encodeOneBit, putFilter, type OneBit } from './bitonal.js';
import type { ScanSplit } from './scan-classify.js';

/** A page scan split into its layers, not yet written: what replaces the image object. */
export interface Layers {
  kind: 'bilevel' | 'mrc';
  /** The text mask, full resolution (G4 or JBIG2), a stencil: 0 = ink (painted), 1 = paper. */
  mask: OneBit;
  /** MRC only: the background JPEG, made for `ppi` of backgroundChain (not written: which levels may take it). */
  background?: { data: Uint8Array; width: number; height: number; channels: 1 | 3; ppi?: number };
  /** MRC only: a second stencil (a stamp), painted in its colour under the ink, and the ink over it in the two multiplied. */
  spot?: { mask: OneBit; colour: number[]; over: { mask: OneBit; colour: number[] } };
  inkColour: number[];
  paperColour: number[];
}

/**
 * Background resolutions an MRC page is tried at: the level's own and every weaker lossy
 * level's, the smallest JPEG kept (the mask is the same at every level), so a stronger level's
 * page is never larger than a weaker one's.
 */
export function backgroundChain(level: string): number[] {
  const chain = [100, 75, 50];
  const own = level === 'high' ? 75 : level === 'maximum' ? 50 : 100;
  return chain.filter((p) => p >= own);
}

/**
 * Encodes the layers, one option a background resolution, smallest first. The mask is verified here (decoded back by MuPDF, bit for bit); the
 * page as a whole is verified by the caller (scan-pages.ts), drawn as it will be drawn.
 * `backgroundMs`, when given, gets the time each background took to build and encode, by its
 * ppi in the chain (none for one skipped as the same size as the last): the preview charges a
 * level only the backgrounds its own chain builds.
 */
export async function buildLayers(mupdf: typeof Mupdf, src: Raw, split: ScanSplit, ppi: number, bgChain: number[], quality: number, backgroundMs?: Map<number, number>): Promise<Layers[] | string> {
  if (split.kind === 'picture') return split.reason ?? 'picture';
  const { width: w, height: h } = src;
  const bits = new Uint8Array(w * h);
  // Ink over the spot layer has a mask of its own (below).
  for (let i = 0; i < bits.length; i++) bits[i] = split.ink[i] && !split.spot?.px[i] ? 0 : 1;
  const mask = await encodeOneBit(mupdf, bits, w, h, true);
  if (!mask) return 'mask does not decode back';
  const base: Layers = { kind: split.kind, mask, inkColour: split.inkColour, paperColour: split.paperColour };
  if (split.kind === 'bilevel') return [base];
  if (split.spot) {
    const { px, colour } = split.spot;
    const spotBits = new Uint8Array(w * h);
    for (let i = 0; i < spotBits.length; i++) spotBits[i] = px[i] ? 0 : 1;
    const spotMask = await encodeOneBit(mupdf, spotBits, w, h, true);
    const overBits = new Uint8Array(w * h);
    for (let i = 0; i < overBits.length; i++) overBits[i] = split.ink[i] && px[i] ? 0 : 1;
    const overMask = await encodeOneBit(mupdf, overBits, w, h, true);
    if (!spotMask || !overMask) return 'spot mask does not decode back';
    // Ink over the spot in the colour printed ink over a stamp has: the two multiplied (the
    // ink's colour divided by the paper's, which the scan has in it already). Painted as a
    // colour of its own, not with a blend mode: the page needs no transparency.
    const over = split.inkColour.map((c, i) => Math.round((Math.min(255, (c * 255) / Math.max(1, split.paperColour[i] ?? 255)) * colour[i]!) / 255));
    base.spot = { mask: spotMask, colour, over: { mask: overMask, colour: over } };
  }
  const options: Layers[] = [];
  let tried = '';
  for (const bgPpi of bgChain) {
    const scale = Math.min(1, bgPpi / ppi);
    const [bw, bh] = [Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale))];
    if (tried === `${bw}x${bh}`) continue;
    tried = `${bw}x${bh}`;
    const t0 = performance.now();
    const data = await toJpeg(background(src, split, bw, bh), quality);
    backgroundMs?.set(bgPpi, performance.now() - t0);
    options.push({ ...base, background: { data, width: bw, height: bh, channels: src.channels, ppi: bgPpi } });
  }
  // Smallest first: the caller keeps the first that passes its check.
  return options.sort((a, b) => a.background!.data.length - b.background!.data.length);
}

/**
 * The scan at bw×bh without its ink: each target pixel is the mean of the source pixels it
 * covers that are not ink or its halo; where there are none (under a text line), it is filled
 * from its neighbours, ring by ring, and what is still empty after that takes the paper colour.
 */
export function background(src: Raw, split: ScanSplit, bw: number, bh: number): Raw {
  const { width: w, height: h, channels: n, data } = src;
  const sum = new Float64Array(bw * bh * n);
  const cnt = new Uint32Array(bw * bh);
  const xmap = new Uint32Array(w);
  for (let x = 0; x < w; x++) xmap[x] = Math.min(bw - 1, Math.floor((x * bw) / w));
  for (let y = 0; y < h; y++) {
    const by = Math.min(bh - 1, Math.floor((y * bh) / h));
    for (let x = 0, i = y * w; x < w; x++, i++) {
      if (split.near[i]) continue;
      const t = by * bw + xmap[x]!;
      cnt[t]!++;
      for (let c = 0; c < n; c++) sum[t * n + c]! += data[i * n + c]!;
    }
  }
  const out = new Uint8Array(bw * bh * n);
  let known = new Uint8Array(bw * bh);
  for (let t = 0; t < bw * bh; t++) {
    if (!cnt[t]) continue;
    known[t] = 1;
    for (let c = 0; c < n; c++) out[t * n + c] = Math.round(sum[t * n + c]! / cnt[t]!);
  }
  for (let pass = 0; pass < 24; pass++) {
    const next = known.slice();
    let missing = 0;
    for (let y = 0; y < bh; y++) {
      for (let x = 0; x < bw; x++) {
        const t = y * bw + x;
        if (known[t]) continue;
        const acc = [0, 0, 0];
        let k = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const [xx, yy] = [x + dx, y + dy];
            if (xx < 0 || yy < 0 || xx >= bw || yy >= bh || !known[yy * bw + xx]) continue;
            k++;
            for (let c = 0; c < n; c++) acc[c]! += out[(yy * bw + xx) * n + c]!;
          }
        }
        if (k === 0) { missing++; continue; }
        next[t] = 1;
        for (let c = 0; c < n; c++) out[t * n + c] = Math.round(acc[c]! / k);
      }
    }
    known = next;
    if (missing === 0) break;
  }
  for (let t = 0; t < bw * bh; t++) if (!known[t]) for (let c = 0; c < n; c++) out[t * n + c] = split.paperColour[c] ?? split.paper;
  return { width: bw, height: bh, channels: n, data: out };
}

/** The encoded bytes of the layers: masks and background. */
export function layerBytes(l: Layers): number {
  return l.mask.data.length + (l.spot ? l.spot.mask.data.length + l.spot.over.mask.data.length : 0) + (l.background?.data.length ?? 0);
}

/** Fill colour operator for the ink: gray or RGB, three decimals. */
export function inkOperator(colour: number[]): string {
  const v = colour.map((c) => (c / 255).toFixed(3));
  return v.length === 1 ? `${v[0]} g` : `${v.join(' ')} rg`;
}

/**
 * Turns the image object `ref` into what draws the layers, in place, so every page, form or
 * pattern that draws it draws the layers instead and nothing else on the page changes (an OCR
 * text layer included). The object becomes a form drawing the unit square as an image does.
 * Bilevel: the square filled with the paper's gray, then the mask (JBIG2 or G4) as a stencil
 * painted in the ink's gray. MRC: the background image, then the spot mask (if any)
 * as a stencil painted in its colour, then the mask as a stencil painted in the ink colour, then
 * (with a spot) the ink over the spot as a stencil in the two multiplied.
 */
export function writeLayers(doc: Mupdf.PDFDocument, ref: Mupdf.PDFObject, l: Layers, colorSpace: Mupdf.PDFObject | undefined): void {
  const optional = ['OC', 'Metadata'].map((k) => [k, ref.get(k)] as const).filter(([, v]) => !v.isNull());
  const stencil = (m: OneBit) => {
    const obj = doc.addRawStream(m.data, { Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: m.width, Height: m.height, ImageMask: true });
    putFilter(doc, obj, m);
    return obj;
  };
  const form = (xobjects: Record<string, Mupdf.PDFObject>, content: string) => {
    const xo = doc.newDictionary();
    for (const [k, v] of Object.entries(xobjects)) xo.put(k, v);
    const res = doc.newDictionary();
    res.put('XObject', xo);
    const bbox = doc.newArray();
    for (const v of [0, 0, 1, 1]) bbox.push(v);
    const dict = doc.newDictionary();
    dict.put('Type', doc.newName('XObject'));
    dict.put('Subtype', doc.newName('Form'));
    dict.put('BBox', bbox);
    dict.put('Resources', res);
    for (const [k, v] of optional) dict.put(k, v);
    ref.writeObject(dict);
    ref.writeStream(content);
  };
  if (l.kind === 'bilevel') {
    // Not a 1-bit DeviceGray image with /Decode [ink paper]: pdf.js (Firefox; 5.x and 6.x)
    // reads any Decode but [0 1] on such an image as [1 0], black paper under white ink.
    form({ M: stencil(l.mask) }, bilevelContent(l));
    return;
  }
  const bg = l.background!;
  const bgObj = doc.addRawStream(bg.data, {
    Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: bg.width, Height: bg.height, BitsPerComponent: 8,
    ColorSpace: colorSpace ?? doc.newName(bg.channels === 1 ? 'DeviceGray' : 'DeviceRGB'), Filter: doc.newName('DCTDecode'),
  });
  const xobjects: Record<string, Mupdf.PDFObject> = { B: bgObj, M: stencil(l.mask) };
  if (l.spot) {
    xobjects.S = stencil(l.spot.mask);
    xobjects.T = stencil(l.spot.over.mask);
  }
  form(xobjects, formContent(l));
}

/** Bilevel: the unit square filled with the paper's gray, the mask painted over it in the ink's. */
export function bilevelContent(l: Layers): string {
  const gray = (c: number[]) => ((c.length === 1 ? c[0]! : (77 * c[0]! + 150 * c[1]! + 29 * c[2]! + 128) >> 8) / 255).toFixed(3);
  return `q ${gray(l.paperColour)} g 0 0 1 1 re f Q q ${gray(l.inkColour)} g /M Do Q`;
}

export function formContent(l: Layers): string {
  const ink = `q ${inkOperator(l.inkColour)} /M Do Q`;
  if (!l.spot) return `q /B Do Q ${ink}`;
  return `q /B Do Q q ${inkOperator(l.spot.colour)} /S Do Q ${ink} q ${inkOperator(l.spot.over.colour)} /T Do Q`;
}
