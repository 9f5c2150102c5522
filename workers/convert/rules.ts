import type { Rule } from './types.js';

export interface VectorBox {
  bbox: [number, number, number, number];
  stroked: boolean;
  rect: boolean;
}

/** Thicker than this (pt) is a filled area, not a line. */
const THIN = 3;
/** Shorter than this (pt) is a tick mark or a bullet, not a ruling line. */
const MIN_LENGTH = 6;
/**
 * Past this many vector boxes the page is a drawing (a plot, a map): looking for a table grid
 * in it costs time (components are found pairwise) and finds nothing an editor wants.
 */
export const MAX_VECTORS = 4000;

/**
 * MuPDF's `vectors` structured-text option reports every path as a box with two flags
 * (stroked, rectangle). Thin boxes are ruling lines; a larger rectangle (a stroked cell
 * frame or a shaded cell) contributes its four edges. Curves and other shapes are ignored.
 */
export function rulesFromVectors(vectors: VectorBox[], pageWidth: number, pageHeight: number): Rule[] {
  if (vectors.length > MAX_VECTORS) return [];
  const rules: Rule[] = [];
  const pageArea = pageWidth * pageHeight;
  for (const { bbox, rect } of vectors) {
    const [x0, y0, x1, y1] = bbox;
    const w = x1 - x0;
    const h = y1 - y0;
    if (!(w >= 0 && h >= 0)) continue;
    if (h <= THIN && w >= MIN_LENGTH) rules.push({ dir: 'h', x0, x1, y0: (y0 + y1) / 2, y1: (y0 + y1) / 2 });
    else if (w <= THIN && h >= MIN_LENGTH) rules.push({ dir: 'v', y0, y1, x0: (x0 + x1) / 2, x1: (x0 + x1) / 2 });
    else if (rect && w > THIN && h > THIN && w * h < 0.8 * pageArea) {
      rules.push({ dir: 'h', x0, x1, y0, y1: y0 }, { dir: 'h', x0, x1, y0: y1, y1 });
      rules.push({ dir: 'v', x0, x1: x0, y0, y1 }, { dir: 'v', x0: x1, x1, y0, y1 });
    }
  }
  return rules;
}

/**
 * Collinear pieces joined: a grid drawn cell by cell becomes one line per row boundary.
 * Sorted sweeps, O(n log n).
 */
export function mergeRules(rules: Rule[], tol = 1.5): Rule[] {
  const out: Rule[] = [];
  for (const dir of ['h', 'v'] as const) {
    const pos = (r: Rule) => (dir === 'h' ? r.y0 : r.x0);
    const start = (r: Rule) => (dir === 'h' ? r.x0 : r.y0);
    const end = (r: Rule) => (dir === 'h' ? r.x1 : r.y1);
    const list = rules.filter((r) => r.dir === dir).sort((a, b) => pos(a) - pos(b) || start(a) - start(b));
    let i = 0;
    while (i < list.length) {
      // One band of (nearly) equal positions, then merge its pieces along the line.
      let j = i + 1;
      while (j < list.length && pos(list[j]!) - pos(list[i]!) <= tol) j++;
      const band = list.slice(i, j).sort((a, b) => start(a) - start(b));
      const p = band.reduce((s, r) => s + pos(r), 0) / band.length;
      let a = start(band[0]!);
      let b = end(band[0]!);
      const flush = () => out.push(dir === 'h' ? { dir, x0: a, x1: b, y0: p, y1: p } : { dir, y0: a, y1: b, x0: p, x1: p });
      for (const r of band.slice(1)) {
        if (start(r) <= b + tol) b = Math.max(b, end(r));
        else {
          flush();
          a = start(r);
          b = end(r);
        }
      }
      flush();
      i = j;
    }
  }
  return out;
}
