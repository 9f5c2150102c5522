import type { PageData } from './types.js';

export interface DocStyle {
  /** The size most characters are set in (body text). */
  body: number;
  /** Heading sizes, largest first: index 0 → Heading 1. */
  headings: number[];
  /** Sizes above the body size that carry too much text to be headings. */
  bodyLike: number[];
}

/** Characters per font size (0.5 pt steps), as [size, chars] pairs: mergeable across page chunks. */
export type SizeHistogram = [number, number][];

const round = (size: number) => Math.round(size * 2) / 2;
/** A paragraph counts as a heading when its size is this much above the body size. */
const HEADING_RATIO = 1.15;
const MAX_LEVELS = 4;

/** Characters per size of the text outside tables. */
export function sizeHistogram(pages: PageData[]): SizeHistogram {
  const chars = new Map<number, number>();
  for (const p of pages) {
    for (const line of p.lines) {
      if (line.table !== undefined) continue;
      const key = round(line.size);
      chars.set(key, (chars.get(key) ?? 0) + line.text.length);
    }
  }
  return [...chars];
}

/**
 * Body and heading sizes of the whole document (char-weighted over all pages, all chunks),
 * so that a page of large print is not all headings and a 14 pt title means the same on
 * every page. Sizes used by a fifth or more of the text are body text, never headings.
 */
export function docStyle(histograms: SizeHistogram[]): DocStyle {
  const chars = new Map<number, number>();
  for (const h of histograms) for (const [size, n] of h) chars.set(size, (chars.get(size) ?? 0) + n);
  let total = 0;
  let body = 0;
  let most = -1;
  for (const [size, n] of chars) {
    total += n;
    if (n > most) {
      most = n;
      body = size;
    }
  }
  const large = [...chars.entries()].filter(([size]) => size >= body * HEADING_RATIO);
  const headings = large.filter(([, n]) => n < 0.2 * total).map(([size]) => size).sort((a, b) => b - a).slice(0, MAX_LEVELS);
  const bodyLike = large.filter(([, n]) => n >= 0.2 * total).map(([size]) => size);
  return { body, headings, bodyLike };
}

/** 1–4 for a heading size, 0 for body text (or size 0: not a heading candidate); sizes below the fourth level are level 4. */
export function headingLevel(style: DocStyle, size: number): number {
  const s = round(size);
  if (s <= 0 || s < style.body * HEADING_RATIO || style.bodyLike.includes(s)) return 0;
  const i = style.headings.indexOf(s);
  return i === -1 ? MAX_LEVELS : i + 1;
}

/** Marks a heading candidate of this size in generated text; resolved to a level or nothing once the document's sizes are known. */
export const headingToken = (size: number) => `\u0001H${size}\u0001`;
export const HEADING_TOKEN = /\u0001H([\d.]+)\u0001/g;
