/**
 * Data passed between the OCR handler (main thread) and its worker tasks. Coordinates of
 * recognised text are in pixels of the image the engine saw, origin top-left; the page
 * entry says how many pixels per inch that image has, so a consumer can map to points.
 */

export type OcrEngineName = 'native' | 'wasm';
export type OcrOutputFormat = 'searchable_pdf' | 'text' | 'json' | 'hocr' | 'alto';
/** skip: pages with text are left alone; redo: old invisible text removed, pages OCRed again; force: pages rasterised and OCRed. */
export type OcrMode = 'skip' | 'redo' | 'force' | 'all';
/** What sniff() said the upload is; every kind but pdf is turned into a PDF first. */
export type OcrInputKind = 'pdf' | 'png' | 'jpeg' | 'tiff' | 'bmp' | 'webp' | 'gif';

/** [x0, y0, x1, y1] in pixels of the recognised image. */
export type BBox = [number, number, number, number];

export interface OcrWord {
  text: string;
  bbox: BBox;
  /** 0–100, the engine's own word confidence. */
  confidence: number;
}

export interface OcrLine {
  bbox: BBox;
  words: OcrWord[];
}

export interface OcrBlock {
  bbox: BBox;
  lines: OcrLine[];
}

export interface OcrPageResult {
  /** 1-based page number in the document. */
  page: number;
  /** Size of the recognised image in pixels, and its resolution. */
  width: number;
  height: number;
  dpi: number;
  blocks: OcrBlock[];
  text: string;
  /** Mean word confidence (0–100); null when no word was found. */
  meanConfidence: number | null;
  /** Turned upright (degrees clockwise) and straightened (degrees) before recognition; the output page is turned the same way and straightened as `deskew` says. */
  fix?: { rotate: number; skew: number };
  /**
   * deskew (a skew was measured, not mode force): the straightened scan that replaces the
   * page's image, or why the page was left as it is (its text layer is then turned to lie on
   * the skewed page).
   */
  deskew?: DeskewOutcome;
  /** Orientation detection's answer, when it ran: what it proposed and how sure it was. */
  orientation?: { rotate: number; confidence: number; script: string | null };
  /** mode force: the page as rendered (a JPEG in the job's folder) that replaces the page's content. */
  raster?: { path: string; widthPx: number; heightPx: number };
}

/** One page of the plan: whether it is OCRed, and at which resolution it is rendered. */
export interface PlannedPage {
  /** 0-based index in the source PDF. */
  index: number;
  /** The page already has a text layer (extractable text). */
  hasText: boolean;
  /** Selected by `pages` and not skipped for having text. */
  ocr: boolean;
  /** Render resolution (the requested dpi, lowered to fit the pixel cap; an image's own dpi). */
  dpi: number;
  /** Render size in pixels at that dpi. */
  widthPx: number;
  heightPx: number;
}

export interface OcrPlan {
  /** The PDF the pages come from: the upload itself, or the PDF built from an image upload. */
  source: string;
  pageCount: number;
  /** Every page of the source; `ocr` marks the ones to recognise. */
  pages: PlannedPage[];
  /** Pages in the `pages` selection (all when absent). */
  selected: number[];
  /** Pages whose render dpi was lowered to stay under the pixel cap. */
  capped: number[];
  /** mode redo: pages whose old invisible text layer was removed. */
  invisibleRemoved?: number[];
}

/** A scan page straightened by deskew (workers/ocr/deskew.ts), or why it was left as it is. */
export type Straightened = {
  /** The straightened image's stream data, in the job's folder. */
  path: string;
  /** Its resource name in the page's XObject dictionary (what the content draws). */
  name: string;
  width: number;
  height: number;
  bitsPerComponent: 1 | 8;
  colors: 1 | 3;
  filter: 'DCTDecode' | 'FlateDecode';
  /** The original image's /ColorSpace is kept (it describes the new samples too). */
  keepColorSpace: boolean;
};
export type DeskewOutcome = Straightened | { left: string };
