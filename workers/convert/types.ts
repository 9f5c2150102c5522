import type { ConvertFormat, ImageFormat } from '../../src/schemas/convert.js';
import type { PageRange } from '../../src/schemas/pages.js';

/**
 * The page model every output format is written from. Coordinates are PDF points with the
 * origin at the top left (MuPDF's structured-text space), y growing downwards.
 */

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A run of text in one font, as MuPDF reports it with `preserve-spans`. */
export interface Span extends Box {
  text: string;
  size: number;
  bold: boolean;
  italic: boolean;
  mono: boolean;
}

/** A visual line: the spans that share a baseline inside one MuPDF block, left to right. */
export interface Line extends Box {
  baseline: number;
  spans: Span[];
  /** Index of the MuPDF block it came from (reading order). */
  block: number;
  /** Char-weighted font size of the line. */
  size: number;
  text: string;
  mono: boolean;
  /** Index in PageData.tables when the line was taken into a table. */
  table?: number;
}

export interface PageImage extends Box {
  block: number;
  data: Uint8Array;
  type: 'png' | 'jpg';
  width: number;
  height: number;
}

/** A thin horizontal or vertical stroke (a ruling line, or one edge of a box). */
export interface Rule extends Box {
  dir: 'h' | 'v';
}

export interface TableCell {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
  lines: Line[];
}

export interface Table extends Box {
  /** Column boundaries (x) and row boundaries (y), both ascending. */
  xs: number[];
  ys: number[];
  cells: TableCell[];
  /** How it was found: drawn grid, or text columns (optionally between horizontal rules). */
  source: 'ruled' | 'aligned';
}

/** What extraction keeps of one page (the MuPDF objects are gone by then). */
export interface PageData {
  /** 1-based page number in the document. */
  page: number;
  width: number;
  height: number;
  lines: Line[];
  images: PageImage[];
  tables: Table[];
  chars: number;
  /** Images left out (too large to decode, or unreadable). */
  imagesSkipped: number;
  failed?: string;
}

export interface Run {
  text: string;
  size: number;
  bold: boolean;
  italic: boolean;
  mono: boolean;
}

export type Item =
  /** size: the paragraph's font size (0.5 pt steps) when it is short enough to be a heading, else 0. */
  | { kind: 'paragraph'; size: number; mono: boolean; runs: Run[] }
  | { kind: 'table'; table: Table }
  | { kind: 'image'; image: PageImage };

/** A page ready for writing: its items in reading order. */
export interface PageItems {
  page: number;
  width: number;
  height: number;
  items: Item[];
}

export interface Note {
  code: string;
  message: string;
  pages?: number[];
}

/** Page margins in points, taken from the first page's text (docx page setup). */
export interface Margins {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** What a conversion (or its preview) is asked for, beside where it reads and writes. */
export interface ConvertRequest {
  format: ConvertFormat;
  maxPages: number;
  pages?: PageRange[];
  dpi: number;
  imageFormat: ImageFormat;
  ocr: boolean;
}
