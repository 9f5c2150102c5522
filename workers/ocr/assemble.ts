import { readFile, stat, writeFile } from 'node:fs/promises';
import type * as Mupdf from 'mupdf';
import { loadMupdf } from '../pdf.js';
import { TaskError } from '../task.js';
import { addGlyphlessFont } from './glyphless-font.js';
import { attachTextLayer, newTextLayerContext } from './text-layer.js';
import { textLayerPage } from './text-layer-words.js';
import type { OcrOutputFormat, OcrPageResult } from './types.js';
import { toJsonOutput } from './json-output.js';
import { toAlto, toHocr } from './hocr-alto.js';
import { applyPageFix, isFixed } from './page-fix.js';
import { putStraightImage } from './deskew.js';

export interface AssemblePayload {
  source: string;
  /** The source is a PDF this job built from an image upload (no bytes of the user's PDF to keep). */
  builtFromImages: boolean;
  output: string;
  format: OcrOutputFormat;
  /** 1-based pages that go into text/json output, in order. */
  selected: number[];
  results: OcrPageResult[];
  meta: { engine: string; language: string; fileName?: string };
  /** Also write the text of the searchable PDF here (sidecar): every selected page, each ending with a form feed. */
  sidecar?: string;
}

export interface AssembleResult {
  outputSize: number;
  textLayerBytes: number;
  incremental: boolean;
}

/**
 * Two ways to save, the smaller wins (both keep every image stream's bytes as they are):
 * - an incremental update appends the new objects (font, text streams, the changed page
 *   dictionaries) after the original bytes, which stay exactly as they were. A signed PDF
 *   is only ever saved this way, so its signed revision stays verifiable. MuPDF cannot
 *   append to a file it had to repair.
 * - a full rewrite with object streams packs the dictionaries (the original's too): on
 *   scanner PDFs it measured ~0.5 KB per page smaller than the update, which is what keeps
 *   our output at or under OCRmyPDF's.
 */
function savePdf(doc: Mupdf.PDFDocument, builtFromImages: boolean): { bytes: Uint8Array; incremental: boolean } {
  let incremental: Uint8Array | undefined;
  if (!builtFromImages && !doc.wasRepaired()) {
    try {
      incremental = doc.saveToBuffer('incremental').asUint8Array();
    } catch {
      // fall through to a full rewrite
    }
  }
  const signed = (doc.getTrailer().get('Root', 'AcroForm', 'SigFlags').valueOf() as number | null) ?? 0;
  if (incremental && signed > 0) return { bytes: incremental, incremental: true };
  const full = doc.saveToBuffer('garbage=compact,compress,objstms').asUint8Array();
  return incremental && incremental.length <= full.length ? { bytes: incremental, incremental: true } : { bytes: full, incremental: false };
}

export async function assemble(p: AssemblePayload): Promise<AssembleResult> {
  const mupdf = await loadMupdf();
  const byPage = new Map(p.results.map((r) => [r.page, r]));
  let doc: Mupdf.PDFDocument;
  try {
    doc = new mupdf.PDFDocument(await readFile(p.source));
  } catch {
    throw new TaskError('INVALID_PDF', 'The document could not be opened to write the OCR result.');
  }
  try {
    let textLayerBytes = 0;
    if (p.format === 'searchable_pdf') {
      const ctx = newTextLayerContext(mupdf, doc, addGlyphlessFont(doc));
      for (const r of p.results) {
        // deskew: a scan page gets its straightened image; any other page keeps its content as
        // it was, and its text (read straightened) is turned back onto the skewed page.
        const straight = r.deskew && !('left' in r.deskew) ? r.deskew : undefined;
        const turnText = r.deskew && 'left' in r.deskew && r.fix ? r.fix.skew : 0;
        if (r.raster) await replaceWithRaster(mupdf, doc, r);
        else if (isFixed(r.fix)) applyPageFix(mupdf, doc, r.page - 1, r.deskew ? { rotate: r.fix.rotate, skew: 0 } : r.fix);
        if (straight && !r.raster) await putStraightImage(doc, r.page - 1, straight);
        const page = doc.loadPage(r.page - 1);
        try {
          textLayerBytes += attachTextLayer(ctx, page, r, turnText);
        } finally {
          page.destroy();
        }
      }
      const { bytes, incremental } = savePdf(doc, p.builtFromImages);
      await writeFile(p.output, bytes);
      if (p.sidecar) await writeFile(p.sidecar, selectedPages(doc, p, byPage).map((pg) => `${pg.result.text}\n\f`).join(''), 'utf8');
      return { outputSize: bytes.length, textLayerBytes, incremental };
    }
    const pages = selectedPages(doc, p, byPage);
    const body =
      p.format === 'text'
        ? pages.map((pg) => `${pg.result.text}\n\f`).join('')
        : p.format === 'hocr'
          ? toHocr(pages, p.meta)
          : p.format === 'alto'
            ? toAlto(pages, p.meta)
            : JSON.stringify(toJsonOutput(pages, p.meta));
    await writeFile(p.output, body, 'utf8');
    return { outputSize: (await stat(p.output)).size, textLayerBytes: 0, incremental: false };
  } finally {
    doc.destroy();
  }
}

/** text / json / hocr / alto: OCR results, and the existing text of pages that were skipped for having it. */
function selectedPages(doc: Mupdf.PDFDocument, p: AssemblePayload, byPage: Map<number, OcrPageResult>) {
  return p.selected.map((n) => {
    const found = byPage.get(n);
    if (found) return { result: found, source: 'ocr' as const };
    const page = doc.loadPage(n - 1);
    try {
      return { result: textLayerPage(page, n), source: 'text_layer' as const };
    } finally {
      page.destroy();
    }
  });
}

/**
 * mode force: the page's content becomes the image it was rendered to (as shown: upright,
 * straightened), on a page of the displayed size with no /Rotate; annotations stay.
 */
async function replaceWithRaster(mupdf: typeof Mupdf, doc: Mupdf.PDFDocument, r: OcrPageResult): Promise<void> {
  const raster = r.raster!;
  const ref = doc.addImage(new mupdf.Image(await readFile(raster.path)));
  const w = (raster.widthPx * 72) / r.dpi;
  const h = (raster.heightPx * 72) / r.dpi;
  const num = (n: number) => (Math.round(n * 1000) / 1000).toString();
  const pageObj = doc.findPage(r.page - 1);
  for (const box of ['CropBox', 'TrimBox', 'BleedBox', 'ArtBox']) pageObj.delete(box);
  pageObj.put('MediaBox', [0, 0, Number(num(w)), Number(num(h))]);
  pageObj.put('Rotate', 0);
  const resources = doc.newDictionary();
  const xobjects = doc.newDictionary();
  xobjects.put('Im0', ref);
  resources.put('XObject', xobjects);
  pageObj.put('Resources', resources);
  pageObj.put('Contents', doc.addStream(`q ${num(w)} 0 0 ${num(h)} 0 0 cm /Im0 Do Q`, doc.newDictionary()));
}
