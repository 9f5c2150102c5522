import type * as Mupdf from 'mupdf';
import { encodeImage } from './images.js';
import { rulesFromVectors, type VectorBox } from './rules.js';
import { cleanText } from './text.js';
import type { Line, PageData, PageImage, Rule, Span } from './types.js';

interface JsonFont {
  name: string;
  family: string;
  weight: string;
  style: string;
  size: number;
}
interface JsonLine {
  bbox: { x: number; y: number; w: number; h: number };
  font: JsonFont;
  x: number;
  y: number;
  text: string;
}
interface JsonBlock {
  type: string;
  bbox?: { x: number; y: number; w: number; h: number };
  lines?: JsonLine[];
}

/**
 * MuPDF rounds JSON coordinates to integers; at scale 10 they keep 0.1 pt, enough to tell
 * a cell boundary from the text next to it. Every number is divided back on the way in.
 */
const SCALE = 10;
/**
 * One structured-text pass gives text with fonts (`preserve-spans`), images and vector
 * boxes (`vectors`, used for ruling lines). MuPDF's own `table-hunt` was measured at +50 %
 * extraction time on a 311-page manual (1.9 s → 2.9 s), so tables are found here instead.
 */
export const STEXT_OPTIONS = 'preserve-images,preserve-spans,vectors';

export interface ExtractOptions {
  /** Decode and encode images (docx, html); txt/xlsx and previews skip the pixel work. */
  images: boolean;
}

export interface RawPage {
  data: PageData;
  rules: Rule[];
}

/** One page → its lines (with fonts), images and ruling lines. Tables come later (tables.ts). */
export function extractPage(mupdf: typeof Mupdf, page: Mupdf.Page, pageNumber: number, opts: ExtractOptions): RawPage {
  const [bx0, by0, bx1, by1] = page.getBounds();
  const data: PageData = { page: pageNumber, width: bx1 - bx0, height: by1 - by0, lines: [], images: [], tables: [], chars: 0, imagesSkipped: 0 };
  const stext = page.toStructuredText(STEXT_OPTIONS);
  try {
    const imageBlocks: { bbox: Mupdf.Rect; image: Mupdf.Image }[] = [];
    const vectors: VectorBox[] = [];
    stext.walk({
      onImageBlock: (bbox, _m, image) => imageBlocks.push({ bbox, image }),
      onVector: (bbox, flags: { isStroked: boolean; isRectangle: boolean }) => vectors.push({ bbox, stroked: flags.isStroked, rect: flags.isRectangle }),
    });
    const json = JSON.parse(stext.asJSON(SCALE)) as { blocks: JsonBlock[] };
    let imageIndex = 0;
    json.blocks.forEach((block, b) => {
      if (block.type === 'text' && block.lines) {
        for (const line of visualLines(block.lines, b)) {
          data.lines.push(line);
          data.chars += visibleChars(line.text);
        }
      } else if (block.type === 'image') {
        const found = imageBlocks[imageIndex++];
        if (!found) return;
        const image = opts.images ? encodeOrSkip(mupdf, found.image, found.bbox, b) : undefined;
        if (image) data.images.push(image);
        else if (opts.images) data.imagesSkipped++;
        else data.images.push(placeholder(found.bbox, b));
      }
    });
    for (const { image } of imageBlocks) image.destroy();
    return { data, rules: rulesFromVectors(vectors, data.width, data.height) };
  } finally {
    stext.destroy();
  }
}

/** Images are counted (previews, xlsx) without decoding their pixels. */
function placeholder([x0, y0, x1, y1]: Mupdf.Rect, block: number): PageImage {
  return { x0, y0, x1, y1, block, data: new Uint8Array(0), type: 'png', width: 0, height: 0 };
}

function encodeOrSkip(mupdf: typeof Mupdf, image: Mupdf.Image, bbox: Mupdf.Rect, block: number): PageImage | undefined {
  const [x0, y0, x1, y1] = bbox;
  // Hairline images (rules drawn as 1-pixel images, spacer GIFs) carry nothing for an editor.
  if (x1 - x0 < 2 || y1 - y0 < 2) return undefined;
  const encoded = encodeImage(mupdf, image);
  return encoded ? { x0, y0, x1, y1, block, ...encoded } : undefined;
}

const MONO_NAME = /mono|courier|consola|typewriter|cmtt|lmtt|menlo|inconsolata|fixedsys|sourcecode|code/i;

/** Style flags per font, worked out once per font rather than once per span (a document uses tens of fonts). */
const faces = new Map<string, { bold: boolean; italic: boolean; mono: boolean }>();
function faceOf(f: JsonFont): { bold: boolean; italic: boolean; mono: boolean } {
  const key = `${f.name}\u0000${f.weight}\u0000${f.style}\u0000${f.family}`;
  let face = faces.get(key);
  if (!face) {
    if (faces.size > 10_000) faces.clear(); // a hostile file with endless font names
    face = {
      bold: f.weight === 'bold' || /bold|black|heavy|semibold|demi/i.test(f.name),
      italic: f.style === 'italic' || /italic|oblique/i.test(f.name),
      // Subset fonts often lack the fixed-pitch flag (MuPDF then says "serif" for DejaVuSansMono).
      mono: f.family === 'monospace' || MONO_NAME.test(f.name),
    };
    faces.set(key, face);
  }
  return face;
}

/**
 * MuPDF's lines inside a block, with `preserve-spans`, are split wherever the font changes,
 * so "This is **bold** text" arrives as three lines on one baseline. They are joined back
 * into one visual line; a space is put back where the gap between two pieces shows one.
 */
function visualLines(lines: JsonLine[], block: number): Line[] {
  const out: Line[] = [];
  let cur: Line | undefined;
  for (const jl of lines) {
    const text = cleanText(jl.text);
    if (!text) continue;
    const size = jl.font.size / SCALE;
    const face = faceOf(jl.font);
    const span: Span = {
      text,
      x0: jl.bbox.x / SCALE,
      y0: jl.bbox.y / SCALE,
      x1: (jl.bbox.x + jl.bbox.w) / SCALE,
      y1: (jl.bbox.y + jl.bbox.h) / SCALE,
      size,
      bold: face.bold,
      italic: face.italic,
      mono: face.mono,
    };
    const baseline = jl.y / SCALE;
    if (cur && Math.abs(baseline - cur.baseline) <= 0.35 * Math.max(size, cur.size) && span.x0 >= cur.x1 - 0.5 * size) {
      const prev = cur.spans[cur.spans.length - 1]!;
      if (span.x0 - prev.x1 > 0.15 * size && !isSpace(prev.text.charCodeAt(prev.text.length - 1)) && !isSpace(span.text.charCodeAt(0))) span.text = ` ${span.text}`;
      cur.spans.push(span);
      cur.x1 = Math.max(cur.x1, span.x1);
      cur.y0 = Math.min(cur.y0, span.y0);
      cur.y1 = Math.max(cur.y1, span.y1);
    } else {
      cur = { x0: span.x0, y0: span.y0, x1: span.x1, y1: span.y1, baseline, spans: [span], block, size, text: '', mono: false };
      out.push(cur);
    }
  }
  for (const line of out) finishLine(line);
  return out;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 160;

function visibleChars(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (!isSpace(text.charCodeAt(i))) n++;
  return n;
}

export function finishLine(line: Line): void {
  let weight = 0;
  let sum = 0;
  for (const s of line.spans) {
    const n = s.text.length;
    weight += n;
    sum += n * s.size;
  }
  line.size = weight ? sum / weight : line.spans[0]?.size ?? 0;
  line.text = line.spans.map((s) => s.text).join('');
  line.mono = line.spans.every((s) => s.mono || visibleChars(s.text) === 0);
}
