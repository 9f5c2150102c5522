import type { Raw } from './image-codec.js';

/**
 * What a page scan is, decided from its pixels alone (never from the level, so every lossy
 * level makes the same decision and a stronger level's page is at most the weaker's):
 * - `bilevel`: ink on plain paper and nothing else: one 1-bit image (JBIG2 or G4) in the two tones;
 * - `mrc`: text on paper with other content too (stamps, letterheads, photos, shading): the
 *   neutral ink as a full-resolution 1-bit mask, everything else in a small JPEG behind it;
 * - `picture`: not text on paper (a photo, a dark or low-contrast page): the usual JPEG path.
 */
export type ScanKind = 'bilevel' | 'mrc' | 'picture';

export interface ScanSplit {
  kind: ScanKind;
  /** Why a page is a picture. */
  reason?: string;
  /** Per pixel: 1 where the mask paints ink (bilevel and mrc). */
  ink: Uint8Array;
  /** Per pixel: ink grown by a pixel or two, left out of the background (its halo). */
  near: Uint8Array;
  /** Mean ink colour (1 or 3 values, 0–255) and the paper's median gray. */
  inkColour: number[];
  paper: number;
  /** Paper colour (1 or 3 values) for background pixels that only ink covered. */
  paperColour: number[];
  /**
   * Text crosses something else than paper (a stamp, shading): the background holds the
   * letters' fringes there, so it is not taken below 100 ppi (at 75 the test stamp's words
   * read 1.6 points worse).
   */
  inkOnColour: boolean;
  /**
   * A second mask in one colour (a stamp, a coloured rule or heading): per pixel 1 where it
   * paints, and its colour. Absent on gray scans and where the colour is not one ink.
   */
  spot?: { px: Uint8Array; colour: number[] };
}

/** Tile side, in inches, over which "is this area text on paper?" is decided. */
const TILE_INCH = 0.25;
/** A pixel is neutral (may be ink) up to this chroma (max − min of R, G, B). */
const INK_CHROMA = 64;
/** Ink in a tile holding a picture or a stamp: at most this chroma (and near the ink's gray). */
const STRICT_CHROMA = 40;
/** A tile more than this share ink (with its halo) is the dark part of a picture. */
const MAX_INK_SHARE = 0.7;
/** Paper-like: within this of the paper's gray and at most this chroma. */
const PAPER_TOLERANCE = 48;
/** A tile whose non-ink pixels are less than this share paper-like holds a picture or a stamp. */
const PAPER_SHARE = 0.9;
/** Bilevel: at most this share of non-ink pixels may be off the paper tone by > BILEVEL_TONE. */
const BILEVEL_OFF = 0.004;
const BILEVEL_TONE = 40;
/**
 * Spot colour (the second mask): a colour pixel fits the line from the paper's colour to the
 * spot's within this RGB distance. Scanner noise and JPEG keep a stamp's pixels within ~25;
 * a gray text edge half over the paper lies ≥ 60 off a red or blue stamp's line.
 */
const SPOT_FIT = 40;
/** At least this share of the page's colour pixels (outside pictures) fit the one spot colour. */
const SPOT_SHARE = 0.8;
/** A spot layer needs this share of the page in colour pixels, and this distance from the paper. */
const SPOT_MIN = 0.0005;
const SPOT_MIN_DISTANCE = 64;
/**
 * Pictures are found again without the spot's pixels only when those fill at most this share of
 * them (a stamp's strokes or red letters fill 15–30 % of their tiles; a one-hue photo ~80 %).
 */
const SPOT_IN_PICTURE = 0.5;

/**
 * Shading: a picture group is smooth shading with text when in at least SHADE_SMOOTH of its
 * tiles the pixels lighter than half way from the tile's median to the ink lie within
 * SHADE_RESIDUAL of that median on average, with a mean chroma of at most SHADE_CHROMA, and at
 * least SHADE_INK of its tiles hold ink.
 */
const SHADE_RESIDUAL = 12;
const SHADE_CHROMA = 24;
const SHADE_SMOOTH = 0.8;
const SHADE_INK = 0.5;

export function classifyScan(src: Raw, ppi: number): ScanSplit {
  const { width: w, height: h, channels: n, data } = src;
  const N = w * h;
  const lum = new Uint8Array(N);
  const chroma = new Uint8Array(N);
  if (n === 1) lum.set(data.subarray(0, N));
  else {
    for (let i = 0, o = 0; i < N; i++, o += 3) {
      const r = data[o]!, g = data[o + 1]!, b = data[o + 2]!;
      lum[i] = (77 * r + 150 * g + 29 * b + 128) >> 8;
      chroma[i] = Math.max(r, g, b) - Math.min(r, g, b);
    }
  }
  const hist = new Float64Array(256);
  for (let i = 0; i < N; i++) hist[lum[i]!]!++;
  const t = otsu(hist, N);
  const paper = medianAbove(hist, t + 1, 255);
  const inkGray = medianAbove(hist, 0, t);
  const empty = { ink: new Uint8Array(0), near: new Uint8Array(0), inkColour: [], paper, paperColour: [], inkOnColour: false };
  let light = 0;
  for (let v = t + 1; v < 256; v++) light += hist[v]!;
  if (light < N * 0.5) return { ...empty, kind: 'picture', reason: 'mostly dark' };
  if (paper - inkGray < 64 || paper < 150) return { ...empty, kind: 'picture', reason: 'low contrast' };
  if (n === 3) offInkPaperLine(data, lum, chroma, inkGray, meanPaper(data, n, lum, paper));

  let ink = new Uint8Array(N);
  for (let i = 0; i < N; i++) if (lum[i]! <= t && chroma[i]! <= INK_CHROMA) ink[i] = 1;
  const halo = Math.max(1, Math.round(ppi / 150));
  const nearInk = dilate(ink, w, h, halo);

  // Tiles where what is not ink is mostly something else than paper hold a picture, a stamp or
  // shading. Ink there must be close to the ink's own tone and neutral, so that a photo's
  // mid-tones and a stamp's colour stay in the background while text crossing them stays
  // sharp (dropping the whole tile's ink cost 4 points of OCR accuracy around a stamp).
  const ts = Math.max(8, Math.round(ppi * TILE_INCH));
  const [tw, th] = [Math.ceil(w / ts), Math.ceil(h / ts)];
  const first = busyTiles(lum, chroma, nearInk, paper, w, h, ts);
  const { offTone, rest } = first;
  let busy = first.busy;
  let busyCount = 0;
  for (let k = 0; k < busy.length; k++) busyCount += busy[k] ? 1 : 0;
  let near = nearInk;
  let inkOnColour = false;
  let spot: ScanSplit['spot'];
  // A colour page with no busy tile may still hold a spot colour (a few lines of red text
  // leave every tile mostly paper): it is looked for whenever there is colour off the paper.
  if (busyCount > 0 || (n === 3 && offTone > rest * BILEVEL_OFF)) {
    // Pictures are busy areas at least three tiles across (a morphological opening of the
    // busy tiles): a photo. A stamp's ring or bar is thinner and keeps its ink in the mask.
    // Tiles next to a picture are held to the strict rule (a photo's edge is in them).
    // Within those, tiles of a sixteenth of an inch decide: ink in one that is busy itself, or
    // next to one, is the photo's (its top edge 15 px into a paper tile was painted as ink,
    // 36/255 too dark in the check), and text beside the photo keeps its mask.
    const fs = Math.max(4, Math.round(ts / 4));
    const [fw, fh] = [Math.ceil(w / fs), Math.ceil(h / fs)];
    const strict = Math.min(t, inkGray + 40);
    const inkFound = ink;
    const findPictures = (tiles: Uint8Array, skip?: Uint8Array) => {
      const pictures = open3(tiles, tw, th);
      // Smooth shading with text on it (a book's gutter shadow) is busy over three tiles too:
      // it is no picture, and its ink is what is darker than half way from the paper's local
      // level (the tile's median) to the ink.
      const { level, inkGray: textInk } = shading(lum, chroma, inkFound, pictures, w, h, ts);
      const aroundPictures = dilate(pictures, tw, th, 1);
      const fine = pictures.includes(1) ? dilate(busyTiles(lum, chroma, nearInk, paper, w, h, fs, skip).busy, fw, fh, 1) : new Uint8Array(fw * fh);
      const inPicture = new Uint8Array(N);
      const kept = inkFound.slice();
      let any = false;
      for (let y = 0; y < h; y++) {
        const row = Math.floor(y / ts) * tw;
        const frow = Math.floor(y / fs) * fw;
        for (let x = 0, i = y * w; x < w; x++, i++) {
          const k = row + Math.floor(x / ts);
          if (level[k]! >= 0) {
            kept[i] = lum[i]! <= (level[k]! + textInk) / 2 && chroma[i]! <= STRICT_CHROMA ? 1 : 0;
            continue;
          }
          if (pictures[k] || (aroundPictures[k] && fine[frow + Math.floor(x / fs)])) { inPicture[i] = 1; any = true; }
          if (!kept[i]) continue;
          if (inPicture[i]) kept[i] = 0;
          else if ((tiles[k] || aroundPictures[k]) && (lum[i]! > strict || chroma[i]! > STRICT_CHROMA)) kept[i] = 0;
        }
      }
      return { pictures, aroundPictures, inPicture, ink: kept, any };
    };
    let found = findPictures(busy);
    const paperRgb = n === 3 ? meanPaper(data, n, lum, paper, nearInk) : [];
    if (n === 3) spot = spotLayer(data, w, h, lum, chroma, found.ink, found.inPicture, paperRgb, halo);
    // A stamp with large letters, a stamp crossing many lines, or a block of red text is busy
    // over three tiles and was taken for a picture, its text with it (left in the background
    // at 100 ppi: a rotated RECEIVED stamp read 9 points worse). Its colour is looked for on
    // the whole page too (a photo's many colours fail spotLayer's one-colour test); once it is
    // known, its pixels are taken out of the tiles' count and pictures are found again: what
    // remains busy (a photo, shading) is the picture.
    // A photo in one hue (sepia, a blue duotone) fits one colour too: its pixels are most of its
    // area, where a stamp's strokes or coloured letters leave most of theirs to paper and ink,
    // so the pictures are kept when the colour fills more than half of them.
    const spotColour = n === 3 && found.any ? (spot ?? spotLayer(data, w, h, lum, chroma, found.ink, undefined, paperRgb, halo, { look: true }))?.colour : undefined;
    let everywhere = spotColour ? spotLayer(data, w, h, lum, chroma, found.ink, undefined, paperRgb, halo, { known: spotColour, look: true }) : undefined;
    if (everywhere) {
      let inside = 0, area = 0;
      for (let i = 0; i < N; i++) if (found.inPicture[i]) { area++; inside += everywhere.px[i]!; }
      if (inside > area * SPOT_IN_PICTURE) everywhere = undefined;
    }
    if (everywhere) {
      const skip = dilate(everywhere.px, w, h, halo);
      everywhere = undefined;
      busy = busyTiles(lum, chroma, nearInk, paper, w, h, ts, skip).busy;
      found = findPictures(busy, skip);
      spot = spotLayer(data, w, h, lum, chroma, found.ink, found.inPicture, paperRgb, halo, { known: spotColour });
    }
    ink = found.ink;
    const { pictures, aroundPictures } = found;
    // Busy tiles, with the spot layer (if any) taken for paper: a tile busy only because a
    // stamp crosses it is text on paper once the stamp has its own mask.
    const spotNear = spot ? dilate(spot.px, w, h, halo) : undefined;
    const stillBusy = spotNear ? new Uint8Array(busy.length) : busy;
    near = dilate(ink, w, h, halo);
    if (spotNear) {
      for (let k = 0; k < busy.length; k++) {
        if (!busy[k]) continue;
        const [tx, ty] = [k % tw, Math.floor(k / tw)];
        let count = 0, like = 0;
        for (let y = ty * ts; y < Math.min(h, (ty + 1) * ts); y++) {
          for (let x = tx * ts, i = y * w + x; x < Math.min(w, (tx + 1) * ts); x++, i++) {
            if (near[i] || spotNear[i]) continue;
            count++;
            if (Math.abs(lum[i]! - paper) <= PAPER_TOLERANCE && chroma[i]! <= PAPER_TOLERANCE) like++;
          }
        }
        if (pictures[k] || like < count * PAPER_SHARE) stillBusy[k] = 1;
      }
    }
    // There the background leaves out only the ink itself, not its halo: ink on a stamp is
    // darker and redder at its edges than the one ink colour, and filling the halo from the
    // stamp around made the red bar of the test stamp 32/255 lighter (block 46 in the check;
    // keeping the halo: 18). The spot layer, where there is one, leaves out its halo too.
    // Text crossing what stays in the background (ink in a tile still busy, not a picture's)
    // keeps the background at ≥ 100 ppi (inkOnColour).
    for (let y = 0; y < h; y++) {
      const row = Math.floor(y / ts) * tw;
      for (let x = 0, i = y * w; x < w; x++, i++) {
        const k = row + Math.floor(x / ts);
        if (stillBusy[k] || aroundPictures[k]) near[i] = ink[i]!;
        if (spotNear?.[i]) near[i] = 1;
        if (ink[i] && stillBusy[k] && !pictures[k]) inkOnColour = true;
      }
    }
  }
  let inkCount = 0;
  const sum = [0, 0, 0];
  for (let i = 0; i < N; i++) {
    // The ink's colour from the ink on paper: over the spot it is painted darker (mrc.ts).
    if (!ink[i] || spot?.px[i]) continue;
    inkCount++;
    for (let c = 0; c < n; c++) sum[c]! += data[i * n + c]!;
  }
  const inkColour = Array.from({ length: n }, (_, c) => Math.round(sum[c]! / Math.max(1, inkCount)));
  const paperColour = meanPaper(data, n, lum, paper, near);
  if (inkCount < N * 0.001) return { ...empty, kind: 'picture', reason: 'no text found' };
  // Bilevel paints two grays: coloured paper (or ink) keeps its colour in an MRC background.
  const kind: ScanKind = busyCount === 0 && offTone <= rest * BILEVEL_OFF && paper >= 190 && isNeutral(inkColour) && isNeutral(paperColour) ? 'bilevel' : 'mrc';
  return { kind, ink, near, inkColour, paper, paperColour, inkOnColour, ...(spot ? { spot } : {}) };
}

/**
 * The spot layer of a colour scan: pixels of one colour other than the ink's (a stamp, a
 * coloured rule), outside pictures, as a second full-resolution mask painted in that colour
 * under the ink. Left in the background, a stamp's edges blur into the letters it crosses and
 * hold the background at 100 ppi at every level (inkOnColour). A pixel is
 * the spot's when it lies on the line from the paper's colour to the spot's, at least half way
 * and within SPOT_FIT of it. Letters over the spot, darker than half way from the spot to the
 * ink, go into the ink mask: JPEG's half-resolution chroma makes them too red for the
 * neutral-ink rule.
 * Undefined when the colour pixels are not mostly one colour (a multicoloured logo stays in the
 * background). `known`: the spot's colour, already found; its pixels are then looked for
 * everywhere but in pictures, however few or mixed with other colours. `look`: only the layer
 * is wanted (its colour, where it lies), `ink` is left as it is; otherwise the letters over the
 * spot are set in it.
 */
function spotLayer(data: Uint8Array, w: number, h: number, lum: Uint8Array, chroma: Uint8Array, ink: Uint8Array, inPicture: Uint8Array | undefined, paper: number[], halo: number, opts: { known?: number[]; look?: boolean } = {}): ScanSplit['spot'] {
  const { known } = opts;
  const N = w * h;
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let candidates = 0;
  for (let i = 0; i < N; i++) {
    if (ink[i] || inPicture?.[i] || chroma[i]! <= INK_CHROMA) continue;
    candidates++;
    for (let c = 0; c < 3; c++) hist[c]![data[i * 3 + c]!]!++;
  }
  if (!known && candidates < N * SPOT_MIN) return undefined;
  const median = known ?? hist.map((hc) => {
    let acc = 0;
    for (let v = 0; v < 256; v++) if ((acc += hc[v]!) >= candidates / 2) return v;
    return 255;
  });
  const d = [0, 1, 2].map((c) => median[c]! - paper[c]!);
  const d2 = d[0]! ** 2 + d[1]! ** 2 + d[2]! ** 2;
  if (d2 < SPOT_MIN_DISTANCE ** 2) return undefined;
  // Where each pixel lies along the paper→spot line (0 paper, 1 spot) and how far off it: one
  // pass, nothing kept per pixel but the band (a 50-megapixel scan has no room for more).
  const band = new Uint8Array(N);
  const [q0, q1, q2] = paper as [number, number, number];
  const [d0, d1, d2c] = d as [number, number, number];
  const sum = [0, 0, 0];
  let count = 0;
  let fit = 0;
  for (let i = 0, o = 0; i < N; i++, o += 3) {
    if (inPicture?.[i]) continue;
    const p0 = data[o]! - q0, p1 = data[o + 1]! - q1, p2 = data[o + 2]! - q2;
    const a = (p0 * d0 + p1 * d1 + p2 * d2c) / d2;
    const r0 = p0 - a * d0, r1 = p1 - a * d1, r2 = p2 - a * d2c;
    if (r0 * r0 + r1 * r1 + r2 * r2 > SPOT_FIT * SPOT_FIT) continue;
    if (!ink[i] && chroma[i]! > INK_CHROMA) fit++;
    // Half way to the spot at least, and off the ink–paper line: a dark, grayish spot (navy)
    // has that line close by, and the gray edges of black letters would fit it.
    if (a < 0.5 || chroma[i]! <= STRICT_CHROMA) continue;
    band[i] = 1;
    if (a < 0.75 || a > 1.25) continue;
    count++;
    for (let c = 0; c < 3; c++) sum[c]! += data[o + c]!;
  }
  if (!known && fit < candidates * SPOT_SHARE) return undefined;
  if (count === 0) return undefined;
  const colour = sum.map((v) => Math.round(v / count));
  // The spot runs on under the letters that cross it (the ink over it is painted in the two
  // colours multiplied): a closing fills gaps of up to two halos' width, a letter's stroke and
  // its edges. Light gaps only beside ink: elsewhere paper between the spot's strokes stays
  // paper (text in the spot's colour keeps the counters of its e and a).
  const spotLum = (77 * colour[0]! + 150 * colour[1]! + 29 * colour[2]! + 128) >> 8;
  const px = close(band, w, h, 2 * halo);
  const byInk = dilate(ink, w, h, halo);
  for (let i = 0; i < N; i++) if (px[i] && !band[i] && !byInk[i] && lum[i]! > spotLum + 16) px[i] = 0;
  // A letter's edge where it meets the spot (a mix of the two, off the line) is the spot's
  // (into band's memory: neither is needed any more).
  const beside = dilate(px, w, h, halo, band);
  for (let i = 0; i < N; i++) if (beside[i] && !px[i] && chroma[i]! > STRICT_CHROMA && lum[i]! <= spotLum + 16) px[i] = 1;
  if (opts.look) {
    if (inPicture) for (let i = 0; i < N; i++) if (inPicture[i]) px[i] = 0;
    return { px, colour };
  }
  // The ink's own gray (the page's dark median holds the stamp too).
  const inkGray = inkMedian(lum, ink, w) ?? 0;
  const mid = (inkGray + spotLum) / 2;
  for (let i = 0; i < N; i++) {
    if (inPicture?.[i]) px[i] = 0;
    // Over the spot the ink is what is darker than half way from the spot to the ink: a
    // letter's core is ink however red JPEG made it, and the spot's own edges, grayed by JPEG's
    // half-resolution chroma, stay the spot's (as ink they drew red text with a near-black rim).
    else if (px[i] && spotLum - inkGray >= 48) ink[i] = lum[i]! <= mid ? 1 : 0;
  }
  return { px, colour };
}

/**
 * Pictures (tiles, after the opening) that are smooth shading with text on it: per tile the
 * paper's local level (the median gray), and how far the pixels lighter than half way from it to
 * the ink lie from it (mean absolute difference). A group of picture tiles is shading when
 * those differences are small in most of its tiles (SHADE_RESIDUAL: a gutter's gradient and
 * the scanner's noise; a photo's detail is larger), its tiles are neutral, and text is on it:
 * ink darker than half way in at least SHADE_INK of them. Its tiles are taken out of
 * `pictures` (in place) and get their level; every other tile −1. `inkGray`: the ink's gray
 * measured on the text outside pictures.
 */
function shading(lum: Uint8Array, chroma: Uint8Array, ink: Uint8Array, pictures: Uint8Array, w: number, h: number, ts: number): { level: Float32Array; inkGray: number } {
  const [tw, th] = [Math.ceil(w / ts), Math.ceil(h / ts)];
  const level = new Float32Array(tw * th).fill(-1);
  if (!pictures.includes(1)) return { level, inkGray: 0 };
  // The ink's gray from the text outside pictures: the page's dark median holds the shadow too.
  const inkGray = inkMedian(lum, ink, w, { tiles: pictures, ts, tw });
  if (inkGray === undefined) return { level, inkGray: 0 };
  const smooth = new Uint8Array(tw * th);
  const inked = new Uint8Array(tw * th);
  const median = new Float32Array(tw * th);
  const hist = new Uint32Array(256);
  for (let k = 0; k < pictures.length; k++) {
    if (!pictures[k]) continue;
    const [tx, ty] = [k % tw, Math.floor(k / tw)];
    const [x0, x1, y0, y1] = [tx * ts, Math.min(w, (tx + 1) * ts), ty * ts, Math.min(h, (ty + 1) * ts)];
    hist.fill(0);
    let all = 0, colour = 0;
    for (let y = y0; y < y1; y++) for (let x = x0, i = y * w + x; x < x1; x++, i++) { hist[lum[i]!]!++; colour += chroma[i]!; all++; }
    const m = medianAbove(hist, 0, 255);
    median[k] = m;
    const half = (m + inkGray) / 2;
    let off = 0, light = 0, ink = 0;
    for (let v = 0; v < 256; v++) {
      if (v <= half) ink += hist[v]!;
      else { light += hist[v]!; off += hist[v]! * Math.abs(v - m); }
    }
    if (m - inkGray >= 48 && colour <= all * SHADE_CHROMA && light > 0 && off / light <= SHADE_RESIDUAL) smooth[k] = 1;
    if (ink >= all * 0.01) inked[k] = 1;
  }
  // Groups of picture tiles (4-connected).
  const seen = new Uint8Array(tw * th);
  for (let start = 0; start < pictures.length; start++) {
    if (!pictures[start] || seen[start]) continue;
    const group = [start];
    seen[start] = 1;
    for (let j = 0; j < group.length; j++) {
      const k = group[j]!;
      const [tx, ty] = [k % tw, Math.floor(k / tw)];
      for (const [nx, ny] of [[tx - 1, ty], [tx + 1, ty], [tx, ty - 1], [tx, ty + 1]] as const) {
        if (nx < 0 || ny < 0 || nx >= tw || ny >= th) continue;
        const q = ny * tw + nx;
        if (pictures[q] && !seen[q]) { seen[q] = 1; group.push(q); }
      }
    }
    let smoothCount = 0, inkedCount = 0;
    for (const k of group) { smoothCount += smooth[k]!; inkedCount += inked[k]!; }
    if (smoothCount < group.length * SHADE_SMOOTH || inkedCount < group.length * SHADE_INK) continue;
    // Tiles too dark to hold paper (the gutter's darkest edge) stay pictures.
    for (const k of group) if (smooth[k]) { pictures[k] = 0; level[k] = median[k]!; }
  }
  return { level, inkGray };
}

/**
 * Tiles of side ts whose pixels outside the ink's halo are less than PAPER_SHARE paper-like;
 * with the count of those pixels and of those off the paper's tone (for the bilevel test).
 */
function busyTiles(lum: Uint8Array, chroma: Uint8Array, nearInk: Uint8Array, paper: number, w: number, h: number, ts: number, skip?: Uint8Array): { busy: Uint8Array; offTone: number; rest: number } {
  const [tw, th] = [Math.ceil(w / ts), Math.ceil(h / ts)];
  const busy = new Uint8Array(tw * th);
  let offTone = 0;
  let rest = 0;
  for (let ty = 0; ty < th; ty++) {
    for (let tx = 0; tx < tw; tx++) {
      let count = 0, like = 0, near = 0, all = 0;
      for (let y = ty * ts; y < Math.min(h, (ty + 1) * ts); y++) {
        for (let x = tx * ts, i = y * w + x; x < Math.min(w, (tx + 1) * ts); x++, i++) {
          all++;
          // Skipped (the spot layer's pixels): neither paper nor ink.
          if (skip?.[i]) continue;
          if (nearInk[i]) { near++; continue; }
          count++;
          const d = Math.abs(lum[i]! - paper);
          if (d <= PAPER_TOLERANCE && chroma[i]! <= PAPER_TOLERANCE) like++;
          if (d > BILEVEL_TONE || chroma[i]! > BILEVEL_TONE) offTone++;
        }
      }
      rest += count;
      // Mostly "ink": the dark part of a photo (text leaves most of a tile to the paper).
      if ((count > 0 && like < count * PAPER_SHARE) || near > all * MAX_INK_SHARE) busy[ty * tw + tx] = 1;
    }
  }
  return { busy, offTone, rest };
}

/**
 * Colour scans: each pixel's chroma measured off the line from the ink's gray to the paper's
 * colour (the max − min of its difference from the nearest point on that line), not off the gray
 * axis. A letter's anti-aliased edge on cream or yellow paper lies on that line and counts as
 * neutral, and the paper itself as paper, while a stamp or a photo is as far off it as from gray.
 * On white paper the two measures are the same.
 */
function offInkPaperLine(data: Uint8Array, lum: Uint8Array, chroma: Uint8Array, inkGray: number, paper: number[]): void {
  const [d0, d1, d2c] = paper.map((c) => c - inkGray) as [number, number, number];
  const d2 = d0 ** 2 + d1 ** 2 + d2c ** 2;
  if (d2 === 0) return;
  for (let i = 0, o = 0; i < lum.length; i++, o += 3) {
    const p0 = data[o]! - inkGray, p1 = data[o + 1]! - inkGray, p2 = data[o + 2]! - inkGray;
    const a = Math.max(0, Math.min(1, (p0 * d0 + p1 * d1 + p2 * d2c) / d2));
    const r0 = p0 - a * d0, r1 = p1 - a * d1, r2 = p2 - a * d2c;
    chroma[i] = Math.min(255, Math.round(Math.max(r0, r1, r2) - Math.min(r0, r1, r2)));
  }
}

function isNeutral(c: number[]): boolean {
  return Math.max(...c) - Math.min(...c) <= 24;
}

/** Otsu's threshold: the gray level that best separates the histogram into two classes. */
export function otsu(hist: Float64Array, total: number): number {
  let sumAll = 0;
  for (let v = 0; v < 256; v++) sumAll += v * hist[v]!;
  let wB = 0, sumB = 0, best = 0, bestT = 127;
  for (let v = 0; v < 256; v++) {
    wB += hist[v]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += v * hist[v]!;
    const mB = sumB / wB, mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) { best = between; bestT = v; }
  }
  return bestT;
}

/**
 * The median gray of the ink's pixels; with `outside`, only of those in tiles it does not mark
 * (tile side ts, tw tiles a row). Undefined when there are none.
 */
function inkMedian(lum: Uint8Array, ink: Uint8Array, w: number, outside?: { tiles: Uint8Array; ts: number; tw: number }): number | undefined {
  const hist = new Float64Array(256);
  let count = 0;
  for (let i = 0; i < ink.length; i++) {
    if (!ink[i]) continue;
    if (outside && outside.tiles[Math.floor(Math.floor(i / w) / outside.ts) * outside.tw + Math.floor((i % w) / outside.ts)]) continue;
    hist[lum[i]!]!++;
    count++;
  }
  return count ? medianAbove(hist, 0, 255) : undefined;
}

function medianAbove(hist: ArrayLike<number>, lo: number, hi: number): number {
  let total = 0;
  for (let v = lo; v <= hi; v++) total += hist[v]!;
  let acc = 0;
  for (let v = lo; v <= hi; v++) {
    acc += hist[v]!;
    if (acc >= total / 2) return v;
  }
  return hi;
}

/** Mean colour of the pixels near the paper's gray (outside the ink's halo). */
function meanPaper(data: Uint8Array, n: number, lum: Uint8Array, paper: number, near?: Uint8Array): number[] {
  const sum = [0, 0, 0];
  let count = 0;
  for (let i = 0; i < lum.length; i++) {
    if (near?.[i] || Math.abs(lum[i]! - paper) > 16) continue;
    count++;
    for (let c = 0; c < n; c++) sum[c]! += data[i * n + c]!;
  }
  return Array.from({ length: n }, (_, c) => (count ? Math.round(sum[c]! / count) : paper));
}

/** Morphological opening by a 3×3 square of the non-zero cells: what is at least 3 cells across. */
function open3(m: Uint8Array, w: number, h: number): Uint8Array {
  const inverse = new Uint8Array(m.length);
  for (let k = 0; k < m.length; k++) inverse[k] = m[k] ? 0 : 1;
  const grown = dilate(inverse, w, h, 1);
  const eroded = new Uint8Array(m.length);
  // Cells at the border count as having busy neighbours outside (a photo up to the page edge).
  for (let k = 0; k < m.length; k++) eroded[k] = grown[k] ? 0 : 1;
  return dilate(eroded, w, h, 1);
}

/** Morphological closing by a (2r+1)² square: gaps narrower than 2r + 1 filled. */
function close(m: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const grown = dilate(m, w, h, r);
  for (let i = 0; i < grown.length; i++) grown[i] = grown[i] ? 0 : 1;
  const out = dilate(grown, w, h, r);
  for (let i = 0; i < out.length; i++) out[i] = out[i] ? 0 : 1;
  return out;
}

/**
 * Binary dilation by a (2r+1)² square, separable: a row pass into the output, then a column pass
 * over it in place (row y − r is written only once row y has been read), so a call holds one
 * new mask, not two (a 50-megapixel page has no room for the second). `into`: a mask to write
 * the result into (not `m`), instead of a new one.
 */
export function dilate(m: Uint8Array, w: number, h: number, r: number, into?: Uint8Array): Uint8Array {
  const out = into ?? new Uint8Array(m.length);
  if (into) out.fill(0);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let last = -Infinity; // the last set pixel at or before x: pixel x − r is set when it is within 2r
    for (let x = 0; x < w + r; x++) {
      if (x < w && m[row + x]) last = x;
      const at = x - r;
      if (at >= 0 && at < w && x - last <= 2 * r) out[row + at] = 1;
    }
  }
  // Column pass row by row (each column's last set row kept apart), in memory order.
  const last = new Float64Array(w).fill(-Infinity);
  for (let y = 0; y < h + r; y++) {
    if (y < h) for (let x = 0, i = y * w; x < w; x++, i++) if (out[i]) last[x] = y;
    const at = y - r;
    if (at >= 0 && at < h) for (let x = 0, i = at * w; x < w; x++, i++) out[i] = y - last[x]! <= 2 * r ? 1 : 0;
  }
  return out;
}
